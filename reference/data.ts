/** Deterministic sandbox data: the test billers and the bills of a linked test account. */
import { createHash, randomUUID } from 'node:crypto';
import { serverUrls } from '../lib/spec';
import type { components } from '../schemas/openapi';
import type { Switches } from './http';
import type { AccountLink } from './store';

type Biller = components['schemas']['Biller'];
type Bill = components['schemas']['Bill'];
type Money = components['schemas']['Money'];
type Category = Biller['category'];

const currencyOfCountry = { US: 'USD', GB: 'GBP', CA: 'CAD', AU: 'AUD' } as const;
type Country = keyof typeof currencyOfCountry;

const DEGRADED = new Set(['bil_outback_gas', 'bil_union_mobile']);

/** [name, category, country]; the biller id is the snake-cased name. */
const billerRows: readonly [string, Category, Country][] = [
  ['Pacific Power', 'electricity', 'US'],
  ['Lone Star Gas', 'gas', 'US'],
  ['Cascade Water', 'water', 'US'],
  ['Summit Fiber', 'internet', 'US'],
  ['Liberty Mobile', 'mobile', 'US'],
  ['Evergreen Insurance', 'insurance', 'US'],
  ['Eagle Card', 'credit_card', 'US'],
  ['Metro Waste', 'other', 'US'],
  ['Albion Electric', 'electricity', 'GB'],
  ['Northern Gas', 'gas', 'GB'],
  ['Thames Valley Water', 'water', 'GB'],
  ['Britannia Broadband', 'internet', 'GB'],
  ['Union Mobile', 'mobile', 'GB'],
  ['Crown Insurance', 'insurance', 'GB'],
  ['Sterling Card', 'credit_card', 'GB'],
  ['Borough Council Tax', 'other', 'GB'],
  ['Maple Hydro', 'electricity', 'CA'],
  ['Prairie Gas', 'gas', 'CA'],
  ['Great Lakes Water', 'water', 'CA'],
  ['Northern Lights Internet', 'internet', 'CA'],
  ['Aurora Wireless', 'mobile', 'CA'],
  ['Laurentian Insurance', 'insurance', 'CA'],
  ['Loonie Card', 'credit_card', 'CA'],
  ['Yukon Property Tax', 'other', 'CA'],
  ['Southern Cross Energy', 'electricity', 'AU'],
  ['Outback Gas', 'gas', 'AU'],
  ['Harbour Water', 'water', 'AU'],
  ['Coral Broadband', 'internet', 'AU'],
  ['Kangaroo Mobile', 'mobile', 'AU'],
  ['Wattle Insurance', 'insurance', 'AU'],
  ['Koala Card', 'credit_card', 'AU'],
  ['Bondi Strata', 'other', 'AU'],
];

function toBiller([name, category, country]: (typeof billerRows)[number]): Biller {
  const billerId = `bil_${name.toLowerCase().replaceAll(' ', '_')}`;
  return {
    biller_id: billerId,
    name,
    category,
    country,
    currency: currencyOfCountry[country],
    status: DEGRADED.has(billerId) ? 'degraded' : 'healthy',
    // Billers without a logo exercise the nullable field.
    logo_url: category === 'other' ? null : `${serverUrls.sandbox}/logos/${billerId}.png`,
  };
}

/** Every test biller, sorted by biller_id. */
export const billers: readonly Biller[] = billerRows
  .map(toBiller)
  .sort((a, b) => (a.biller_id < b.biller_id ? -1 : 1));

export function findBiller(billerId: string): Biller | undefined {
  return billers.find((b) => b.biller_id === billerId);
}

const STATEMENT_DATES = ['2026-08-01', '2026-09-01', '2026-10-01'] as const;
const STATUSES = ['paid', 'paid', 'due'] as const;
const DAYS_DUE_AFTER_STATEMENT = 21;
const DAYS_PAID_BEFORE_DUE = 5;

function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

function digest(seed: string): Buffer {
  return createHash('sha256').update(seed).digest();
}

function money(amount: number, currency: string, switches: Switches): Money {
  if (switches.has('schema-drift')) return { amount: (amount / 100).toFixed(2), currency } as unknown as Money;
  return { amount, currency };
}

/** The 3 bills of a `user_good` link: amounts, dates and mask follow from the biller id alone. */
export function billsOf(link: AccountLink, biller: Biller, switches: Switches): Bill[] {
  const amounts = digest(switches.has('random-bill-amounts') ? randomUUID() : biller.biller_id);
  const mask = String(digest(`mask:${biller.biller_id}`).readUInt16BE(0) % 10_000).padStart(4, '0');
  const linkHex = link.linkId.slice('link_'.length);
  return STATEMENT_DATES.map((statementDate, n) => {
    const amountDue = 1_500 + (amounts.readUInt32BE(4 * n) % 25_000);
    const minimumPercent = 10 + (amounts[12 + n] % 21);
    const dueDate = addDays(statementDate, DAYS_DUE_AFTER_STATEMENT);
    const status = STATUSES[n];
    return {
      bill_id: `bill_${linkHex}_${n + 1}`,
      account_link_id: link.linkId,
      biller_id: biller.biller_id,
      account_mask: mask,
      statement_date: statementDate,
      due_date: dueDate,
      amount_due: money(amountDue, biller.currency, switches),
      minimum_payment: money(Math.floor((amountDue * minimumPercent) / 100), biller.currency, switches),
      status,
      paid_at: status === 'paid' ? `${addDays(dueDate, -DAYS_PAID_BEFORE_DUE)}T12:00:00.000Z` : null,
    };
  });
}
