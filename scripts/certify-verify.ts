/**
 * `npm run certify:verify <certification.json>`: checks that a certification report is the
 * one the suite wrote (its SHA-256 digest over the canonical content). Exit 0: intact.
 * 1: changed or not a certification. 2: no such file.
 */
import { readFileSync } from 'node:fs';
import { verifyCertification } from '../lib/certification';
import { ExitCode } from '../lib/errors';

function main(): number {
  const path = process.argv[2];
  let text: string;
  try {
    text = readFileSync(path ?? '', 'utf8');
  } catch {
    console.error(`certify:verify: cannot read ${path ?? '(no file given)'}: usage: npm run certify:verify <certification.json>`);
    return ExitCode.configuration;
  }
  const verdict = verifyCertification(text);
  if (verdict.valid) {
    console.log(`certify:verify: ${path} is intact`);
    return ExitCode.conformant;
  }
  console.log(`certify:verify: ${path} is NOT intact: ${verdict.reason}`);
  return ExitCode.nonConformant;
}

process.exit(main());
