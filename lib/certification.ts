/**
 * The certification report: every requirement of the catalogue with its level, its result on
 * this run (passed, failed, warning, skipped with the reason, not applicable, or waived by the
 * partner's expected-failures file), the redacted evidence, the suite version, the spec's
 * SHA-256, the target and the times, and a conformance score. The JSON document carries a
 * SHA-256 digest over its canonical form, so that a changed byte is detectable.
 */
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './errors';
import { leadingRequirementIds, type RunSummary, type TestOutcome } from './results';
import type { Requirement, RequirementId } from './requirements';

export const CERTIFICATION_FORMAT = 'billerapi-certification/1';

export type CertifiedResult = 'passed' | 'failed' | 'warning' | 'skipped' | 'not-applicable' | 'waived';

export interface CertifiedRequirement {
  id: RequirementId;
  level: Requirement['level'];
  statement: string;
  result: CertifiedResult;
  /** Why skipped, why waived (the partner's comment), or the first failure line. */
  reason?: string;
  tests: { title: string; outcome: TestOutcome['outcome'] }[];
  /** Failure messages and request/response logs, redacted by the harness. */
  evidence: string[];
}

export interface Certification {
  format: typeof CERTIFICATION_FORMAT;
  suite: { name: string; version: string };
  spec: { path: string; sha256: string };
  target: { environment: string; baseUrl: string };
  startedAt: string;
  finishedAt: string;
  score: { mustPassed: number; mustApplicable: number; percent: number };
  verdict: 'PASS' | 'FAIL';
  requirements: CertifiedRequirement[];
  /** SHA-256 of the canonical JSON of everything else. */
  digest?: string;
}

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

// Playwright's JSON report lists tags without their @.
const citesId = (t: TestOutcome, id: RequirementId) => t.tags.includes(id) || t.tags.includes(`@${id}`);

/** Whether a failed test broke `id`: its failures name `id` first, or name no requirement at all (a harness error). */
function brokeRequirement(t: TestOutcome, id: RequirementId): boolean {
  if (t.outcome !== 'failed') return false;
  const named = t.failures.flatMap(leadingRequirementIds);
  return named.length === 0 || named.includes(id);
}

function resultOf(req: Requirement, tests: TestOutcome[], waiver: string | undefined): Pick<CertifiedRequirement, 'result' | 'reason'> {
  const id = req.id as RequirementId;
  if (tests.length === 0) return { result: 'not-applicable', reason: 'no test of this run checks it (profile or --grep)' };
  const broken = tests.filter((t) => brokeRequirement(t, id));
  if (broken.length > 0) {
    const first = broken[0].failures[0]?.split('\n')[0] ?? 'failed';
    if (waiver) return { result: 'waived', reason: waiver };
    return { result: req.level === 'SHOULD' ? 'warning' : 'failed', reason: first };
  }
  if (tests.some((t) => t.warnings.some((w) => leadingRequirementIds(w).includes(id)))) return { result: 'warning', reason: 'a SHOULD-level check warned' };
  if (tests.every((t) => t.outcome === 'skipped')) return { result: 'skipped', reason: tests.find((t) => t.skipReason)?.skipReason ?? 'skipped' };
  return { result: 'passed' };
}

export interface CertificationMeta {
  suite: { name: string; version: string };
  spec: { path: string; sha256: string };
  target: { environment: string; baseUrl: string };
  now: Date;
}

export function buildCertification(summary: RunSummary, catalogue: readonly Requirement[], waivers: ReadonlyMap<RequirementId, string>, meta: CertificationMeta): Certification {
  const requirements = catalogue.map((req): CertifiedRequirement => {
    const id = req.id as RequirementId;
    const tests = summary.tests.filter((t) => citesId(t, id));
    return {
      id,
      level: req.level,
      statement: req.statement,
      ...resultOf(req, tests, waivers.get(id)),
      tests: tests.map((t) => ({ title: t.title, outcome: t.outcome })),
      evidence: tests.flatMap((t) => [...t.failures.filter((f) => leadingRequirementIds(f).includes(id)), ...t.evidence]),
    };
  });
  const must = requirements.filter((r) => r.level === 'MUST' && r.result !== 'not-applicable');
  const mustPassed = must.filter((r) => r.result === 'passed').length;
  const started = summary.startedAt ? new Date(summary.startedAt) : meta.now;
  return {
    format: CERTIFICATION_FORMAT,
    suite: meta.suite,
    spec: meta.spec,
    target: meta.target,
    startedAt: started.toISOString(),
    finishedAt: new Date(started.getTime() + (summary.durationMs ?? 0)).toISOString(),
    score: { mustPassed, mustApplicable: must.length, percent: must.length === 0 ? 0 : Math.round((1000 * mustPassed) / must.length) / 10 },
    verdict: requirements.some((r) => r.result === 'failed') ? 'FAIL' : 'PASS',
    requirements,
  };
}

/** JSON with object keys sorted at every depth: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const digestOf = (content: Omit<Certification, 'digest'>) => createHash('sha256').update(canonicalJson(content)).digest('hex');

export function seal(certification: Certification): Certification {
  const { digest: _, ...content } = certification;
  return { ...content, digest: digestOf(content) };
}

/** Checks a certification document's text: well-formed, of this format, and its digest over its content. */
export function verifyCertification(text: string): { valid: true } | { valid: false; reason: string } {
  let document: Certification;
  try {
    document = JSON.parse(text);
  } catch {
    return { valid: false, reason: 'not JSON' };
  }
  if (document?.format !== CERTIFICATION_FORMAT) return { valid: false, reason: `not a ${CERTIFICATION_FORMAT} document` };
  const { digest, ...content } = document;
  if (typeof digest !== 'string') return { valid: false, reason: 'no digest' };
  return digest === digestOf(content) ? { valid: true } : { valid: false, reason: 'the digest does not match the content: the report was changed after it was written' };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A self-contained page (inline CSS, no script, no remote reference) with the requirement table. */
export function certificationHtml(c: Certification): string {
  const rows = c.requirements.map((r) => `<tr class="${r.result}"><td>${r.id}</td><td>${r.level}</td><td>${escapeHtml(r.statement)}</td><td>${r.result}</td><td>${escapeHtml(r.reason ?? '')}</td><td>${r.evidence.length ? `<details><summary>${r.evidence.length} item(s)</summary>${r.evidence.map((e) => `<pre>${escapeHtml(e)}</pre>`).join('')}</details>` : ''}</td></tr>`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>BillerAPI certification: ${escapeHtml(c.target.environment)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
tr.failed td:nth-child(4){color:#b00;font-weight:bold}tr.passed td:nth-child(4){color:#070}tr.waived td:nth-child(4),tr.warning td:nth-child(4){color:#a60}pre{white-space:pre-wrap;font-size:12px}</style></head>
<body><h1>BillerAPI certification: ${c.verdict}</h1>
<p>Target ${escapeHtml(c.target.baseUrl)} (${escapeHtml(c.target.environment)}), ${c.startedAt} to ${c.finishedAt}.
Suite ${escapeHtml(c.suite.name)} ${escapeHtml(c.suite.version)}; spec SHA-256 <code>${c.spec.sha256}</code>; report digest <code>${c.digest ?? ''}</code>.</p>
<p>Conformance score: ${c.score.mustPassed} of ${c.score.mustApplicable} applicable MUST requirements passed (${c.score.percent}%). Waived requirements are listed as waived, never as passed.</p>
<table id="requirements"><thead><tr><th>Requirement</th><th>Level</th><th>Statement</th><th>Result</th><th>Reason</th><th>Evidence</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}
