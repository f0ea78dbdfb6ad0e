/** The self-test's verdicts and table (scripts/self-test.ts), from made-up rows. */
import { test, expect } from '@playwright/test';
import { falseAlarmLine, formatTable, formatVariationTable, isFalseAlarm, killRateLine, verdictFor, type SelfTestRow, type VariationRow } from '../scripts/self-test';

const verdicts: [string, { breaks: string[]; caughtBy: string[]; want: string }][] = [
  ['caught by its own requirement', { breaks: ['AUTH-001'], caughtBy: ['AUTH-001', 'ERR-002'], want: 'caught' }],
  ['caught by one of two it breaks', { breaks: ['RATE-002', 'RATE-003'], caughtBy: ['RATE-003'], want: 'caught' }],
  ['caught only by another requirement', { breaks: ['DATA-001'], caughtBy: ['DATA-003'], want: 'caught elsewhere' }],
  ['caught by none', { breaks: ['DATA-001'], caughtBy: [], want: 'MISSED' }],
];

for (const [name, { breaks, caughtBy, want }] of verdicts) {
  test(`verdict: ${name}`, () => {
    expect(verdictFor(breaks, caughtBy)).toBe(want);
  });
}

const rows: SelfTestRow[] = [
  { fault: 'accept-missing-secret', breaks: ['AUTH-001'], caughtBy: ['AUTH-001'], verdict: 'caught' },
  { fault: 'shuffled-billers', breaks: ['DATA-001'], caughtBy: ['DATA-003'], verdict: 'caught elsewhere' },
  { fault: 'no-rate-limit', breaks: ['RATE-002'], caughtBy: [], verdict: 'MISSED' },
  { fault: 'slow', breaks: ['RATE-004'], caughtBy: [], verdict: 'ERROR', note: 'timed out after 300 s' },
];

test('the table aligns its columns and names who caught a fault elsewhere', () => {
  expect(formatTable(rows)).toBe([
    'fault                  should break  caught by  verdict',
    '---------------------  ------------  ---------  -------',
    'accept-missing-secret  AUTH-001      AUTH-001   caught',
    'shuffled-billers       DATA-001      DATA-003   caught elsewhere (by DATA-003; not by DATA-001)',
    'no-rate-limit          RATE-002      -          MISSED',
    'slow                   RATE-004      -          ERROR (timed out after 300 s)',
  ].join('\n'));
});

test('the kill rate counts faults caught elsewhere, not missed or failed runs', () => {
  expect(killRateLine(rows)).toBe('kill rate: 2 of 4 faults caught (50%)');
  expect(killRateLine([])).toBe('kill rate: 0 of 0 faults caught (0%)');
});

const variationRows: VariationRow[] = [
  { variation: 'opaque-cursors', verdict: 'PASS' },
  { variation: 'catalogue-237', verdict: 'FAIL', note: 'DATA-003' },
  { variation: 'slow-frame', verdict: 'ERROR', note: 'timed out after 300 s' },
];

test('a variation the suite does not pass is a false alarm, whatever the reason', () => {
  expect(variationRows.map(isFalseAlarm)).toEqual([false, true, true]);
  expect(falseAlarmLine(variationRows)).toBe('false alarms: 2 of 3 variations');
  expect(formatVariationTable(variationRows).split('\n')).toEqual([
    'variation       verdict (whole suite, variation alone)',
    '--------------  --------------------------------------',
    'opaque-cursors  PASS',
    'catalogue-237   FAIL (DATA-003)',
    'slow-frame      ERROR (timed out after 300 s)',
  ]);
});
