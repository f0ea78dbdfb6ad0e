/**
 * lib/reports/ — what a run hands over: the certification (certification.ts) and its seal
 * (seal.ts), and the landing page (landing-page.ts), all derived from the verdict of
 * lib/judgement/. Imports lib/judgement/, lib/contract/ and lib/config/.
 */
/**
 * The certification report: the verdict module's judgement of a run (lib/judgement/verdict.ts), as a
 * document a partner can hand over: every requirement of the catalogue with its level, its
 * result (passed, failed, warning, waived by the partner's expected-failures file, not judged
 * with the reason, out of scope), the redacted evidence, the suite version, the spec's SHA-256,
 * the target the run actually hit (from its own metadata), the times and the score. Sealed by
 * lib/reports/seal.ts: a checksum over the content, and an Ed25519 signature when a key is given.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../config/env';
import { ConfigError } from '../config/errors';
import type { RunRecord } from '../judgement/outcomes';
import type { Requirement, RequirementId, Subject } from '../contract/requirements';
import { loadSigningKey, sealDocument, type Sealed } from './seal';
import type { HarnessErrorRecord, Judgement, RequirementStatus, Verdict } from '../judgement/verdict';

export const CERTIFICATION_FORMAT = 'billerapi-certification/1';

export interface CertifiedRequirement {
  id: RequirementId;
  level: Requirement['level'];
  statement: string;
  result: RequirementStatus;
  /** Why failed, warned, not judged or waived (the partner's comment). */
  reason?: string;
  tests: { title: string; status: string }[];
  /** Failure messages and request/response logs, redacted by the harness. */
  evidence: string[];
}

export interface CertificationContent {
  format: typeof CERTIFICATION_FORMAT;
  /** What was certified: an implementation of BillerAPI (`api`), a partner's webhook receiver or API client. */
  subject: Subject;
  suite: { name: string; version: string };
  spec: { path: string; sha256: string };
  /** The target as the run recorded it, never as a command guessed it. */
  target: { environment: string; baseUrl: string; embeddedReference: boolean; faults: string[]; variations: string[]; profile: string; scenario?: string };
  startedAt: string;
  finishedAt: string;
  score: { mustPassed: number; mustInScope: number; percent: number };
  verdict: Verdict;
  requirements: CertifiedRequirement[];
  harnessErrors: HarnessErrorRecord[];
  configurationProblem?: string;
}

export type Certification = Sealed<CertificationContent>;

/** `expected-failures.yaml`: `- id: AUTH-008` / `comment: why`; a comment is required (as the OpenID conformance suite asks). */
export function parseWaivers(text: string): Map<RequirementId, string> {
  const entries: unknown = parseYaml(text) ?? [];
  if (!Array.isArray(entries)) throw new ConfigError('The expected-failures file must be a list of { id, comment } entries.');
  const waivers = new Map<RequirementId, string>();
  for (const [i, entry] of entries.entries()) {
    const { id, comment } = (entry ?? {}) as { id?: unknown; comment?: unknown };
    if (typeof id !== 'string' || !/^[A-Z]+-\d{3}$/.test(id)) throw new ConfigError(`Expected failure ${i + 1} has no requirement id (e.g. id: AUTH-008).`);
    if (typeof comment !== 'string' || comment.trim() === '') throw new ConfigError(`Expected failure ${id} has no comment: say why the deviation is accepted.`);
    waivers.set(id as RequirementId, comment.trim());
  }
  return waivers;
}

export interface CertificationMeta {
  suite: { name: string; version: string };
  spec: { path: string; sha256: string };
  now: Date;
  /** Default `api`. */
  subject?: Subject;
}

const SPEC_PATH = 'specs/billerapi.openapi.yaml';

/** The suite (package.json's name and version) and the spec (its SHA-256) a certification made now names. */
export function certificationMeta(subject: Subject, now = new Date()): CertificationMeta {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  const sha256 = createHash('sha256').update(readFileSync(join(repoRoot, SPEC_PATH))).digest('hex');
  return { suite: { name: pkg.name, version: pkg.version }, spec: { path: SPEC_PATH, sha256 }, now, subject };
}

/** The document for a run and its judgement (lib/judgement/verdict.ts `judge`, with the partner's waivers). */
export function buildCertification(record: RunRecord, judgement: Judgement, meta: CertificationMeta): CertificationContent {
  const started = record.startedAt ? new Date(record.startedAt) : meta.now;
  const run = record.meta;
  return {
    format: CERTIFICATION_FORMAT,
    subject: meta.subject ?? 'api',
    suite: meta.suite,
    spec: meta.spec,
    target: run
      ? { environment: run.environment, baseUrl: run.baseUrl, embeddedReference: run.embeddedReference, faults: run.faults, variations: run.variations, profile: run.profile, ...(run.scenario ? { scenario: run.scenario } : {}) }
      : { environment: 'unknown', baseUrl: 'unknown: the run wrote no run.json', embeddedReference: false, faults: [], variations: [], profile: 'unknown' },
    startedAt: started.toISOString(),
    finishedAt: new Date(started.getTime() + (record.durationMs ?? 0)).toISOString(),
    score: judgement.score,
    verdict: judgement.verdict,
    requirements: judgement.requirements.map((r) => ({
      id: r.id,
      level: r.level,
      statement: r.statement,
      result: r.status,
      reason: r.reason,
      tests: r.tests,
      evidence: r.evidence,
    })),
    harnessErrors: judgement.harnessErrors,
    configurationProblem: judgement.configurationProblem,
  };
}

/** The PEM of the Ed25519 key a `--signing-key FILE` names, checked; a ConfigError (exit 2) when it cannot sign. */
export function readSigningKeyFile(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(resolve(path), 'utf8');
  } catch {
    throw new ConfigError(`Cannot read the signing key ${path}.`);
  }
  loadSigningKey(pem);
  return pem;
}

export function sealCertification(content: CertificationContent, signingKey?: string): Certification {
  return sealDocument(content, { signingKey });
}

export const CERTIFICATION_FILE = 'certification.json';

/** Writes certification.json and its page (index.html) into `dir`; returns the JSON's path. */
export function writeCertification(dir: string, c: Certification): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, CERTIFICATION_FILE);
  writeFileSync(path, `${JSON.stringify(c, null, 2)}\n`);
  writeFileSync(join(dir, 'index.html'), certificationHtml(c));
  return path;
}

/** How a certification names itself, by what it certifies. */
const TITLES: Record<Subject, string> = {
  api: 'BillerAPI certification',
  receiver: 'BillerAPI webhook receiver certification',
  client: 'BillerAPI client certification',
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function sealHtml(c: Certification): string {
  const signature = 'unsigned' in c.signature
    ? `<strong>unsigned</strong> (${escapeHtml(c.signature.unsigned)})`
    : `Ed25519 signature by key <code>${escapeHtml(c.signature.keyId)}</code>; verify with <code>npm run certify:verify -- certification.json --public-key KEY.pub.pem</code>`;
  return `Checksum (SHA-256) <code>${c.checksum.value}</code>; ${signature}.`;
}

/** A self-contained page (inline CSS, no script, no remote reference) with the requirement table. */
export function certificationHtml(c: Certification): string {
  const rows = c.requirements.map((r) => `<tr class="${r.result}"><td>${r.id}</td><td>${r.level}</td><td>${escapeHtml(r.statement)}</td><td>${r.result}</td><td>${escapeHtml(r.reason ?? '')}</td><td>${r.evidence.length ? `<details><summary>${r.evidence.length} item(s)</summary>${r.evidence.map((e) => `<pre>${escapeHtml(e)}</pre>`).join('')}</details>` : ''}</td></tr>`).join('\n');
  const errors = c.harnessErrors.length
    ? `<h2>Harness errors (not a verdict on the target)</h2><ul id="harness-errors">${c.harnessErrors.map((e) => `<li>${escapeHtml(e.kind)} in "${escapeHtml(e.test)}": ${escapeHtml(e.message.split('\n')[0])}</li>`).join('')}</ul>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${TITLES[c.subject]}: ${escapeHtml(c.target.environment)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
tr.failed td:nth-child(4){color:#b00;font-weight:bold}tr.passed td:nth-child(4){color:#070}tr.waived td:nth-child(4),tr.warning td:nth-child(4),tr.not-judged td:nth-child(4){color:#a60}pre{white-space:pre-wrap;font-size:12px}</style></head>
<body><h1>${TITLES[c.subject]}: ${c.verdict}</h1>
<p>Target ${escapeHtml(c.target.baseUrl)} (${escapeHtml(c.target.environment)}${c.target.embeddedReference ? ', the embedded reference' : ''}, profile ${escapeHtml(c.target.profile)}${c.target.scenario ? `, scenario ${escapeHtml(c.target.scenario)}` : ''}), ${c.startedAt} to ${c.finishedAt}.
Suite ${escapeHtml(c.suite.name)} ${escapeHtml(c.suite.version)}; spec SHA-256 <code>${c.spec.sha256}</code>.</p>
<p id="seal">${sealHtml(c)}</p>
${c.configurationProblem ? `<p id="configuration">${escapeHtml(c.configurationProblem)}</p>` : ''}
<p>Conformance score: ${c.score.mustPassed} of ${c.score.mustInScope} MUST requirements passed (${c.score.percent}%). Waived requirements are listed as waived, never as passed; a MUST not judged makes the certification INCOMPLETE.</p>
${errors}
<table id="requirements"><thead><tr><th>Requirement</th><th>Level</th><th>Statement</th><th>Result</th><th>Reason</th><th>Evidence</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}
