/** How a broken requirement reads: title, request, expected, received, response, and how to reproduce it. */
import type { Exchange } from '../transport/client';
import type { Failure } from './checks';
import { configuredClients, credentialVariables, type Environment } from '../config/env';
import { redact } from '../transport/redact';
import { requirement } from '../contract/requirements';

const BODY_PREVIEW_CHARS = 600;

/** Shorter values could match inside unrelated text, so they are never substituted. */
const MIN_SUBSTITUTED_LENGTH = 6;

/** Secret values the reproduction names by variable instead of printing them. */
export function shellVariables(e: Environment | undefined): [value: string, shell: string][] {
  if (!e) return [];
  const pairs: [string, string][] = [];
  for (const [role, c] of configuredClients(e)) {
    const [idVar, secretVar] = credentialVariables[role];
    pairs.push([c.secret, `\${${secretVar}}`], [c.id, `\${${idVar}}`]);
  }
  return pairs.filter(([value]) => value.length >= MIN_SUBSTITUTED_LENGTH);
}

/**
 * One double-quoted shell word: known credentials become variable references, whatever
 * secret is left is redacted, and everything else is escaped.
 */
function shellWord(text: string, variables: [string, string][]): string {
  let marked = text;
  variables.forEach(([value], i) => (marked = marked.split(value).join(`\u0000${i}\u0000`)));
  const escaped = redact(marked).replace(/(["\\$`])/g, '\\$1');
  return `"${escaped.replace(/\u0000(\d+)\u0000/g, (_, i: string) => variables[Number(i)][1])}"`;
}

export function curlCommand(x: Exchange, e: Environment | undefined): string {
  const vars = shellVariables(e);
  const parts = ['curl', '-i', '-X', x.request.method];
  for (const [name, value] of x.request.headers) parts.push('-H', shellWord(`${name}: ${value}`, vars));
  if (x.request.body !== undefined) parts.push('--data-raw', shellWord(x.request.body, vars));
  parts.push(shellWord(x.request.url, vars));
  return parts.join(' ');
}

export function rerunCommand(id: string, e: Environment | undefined): string {
  return `npm run conformance -- --env ${e?.name ?? 'local'} --grep @${id}`;
}

function preview(text: string): string {
  const clipped = text.length > BODY_PREVIEW_CHARS ? `${text.slice(0, BODY_PREVIEW_CHARS)}… (${text.length} chars)` : text;
  return redact(clipped.replace(/\s+/g, ' '));
}

export function requestLine(x: Exchange): string {
  const url = new URL(x.request.url);
  return redact(`${x.request.method} ${url.pathname}${url.search}`);
}

/** The failure message, redacted: the one text a person reads when a requirement breaks. */
export function formatFailure(failure: Failure, x: Exchange | undefined, e: Environment | undefined, reproduction?: readonly string[]): string {
  const req = requirement(failure.requirement);
  const lines = [`${req.id} ${req.statement} [${req.level}]`];
  if (x) lines.push(`  ${requestLine(x)} (${x.operation.operationId})`);
  lines.push(`  Expected: ${redact(failure.expected)}`, `  Received: ${redact(failure.received)}`);
  if (x) lines.push(`  Response: ${x.response.status} ${x.response.statusText} ${preview(x.response.body)}`);
  if (reproduction) {
    lines.push('  Reproduce with:', ...reproduction.map((line) => `    ${redact(line)}`));
    return lines.join('\n');
  }
  if (x) lines.push('  Reproduce with:', `    ${curlCommand(x, e)}`);
  lines.push(`    ${rerunCommand(req.id, e)}`);
  return lines.join('\n');
}

/** One exchange as evidence: request and response, redacted. */
export function formatExchange(x: Exchange): string {
  const headerLines = (pairs: readonly (readonly [string, string])[]) => pairs.map(([n, v]) => `${n}: ${v}`).join('\n');
  const text = [
    `${x.request.method} ${x.request.url}`,
    headerLines(x.request.headers),
    x.request.body ?? '',
    '',
    `HTTP ${x.response.status} ${x.response.statusText} (${x.response.durationMs.toFixed(0)} ms)`,
    headerLines(Object.entries(x.response.headers)),
    x.response.body,
  ].join('\n');
  return redact(text);
}
