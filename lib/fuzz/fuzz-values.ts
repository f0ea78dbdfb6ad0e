/**
 * Values of generated requests, kept symbolic where they derive from a secret: "the primary
 * secret with its 12th character changed" rather than the changed string. The request gets
 * the real value; the reproduction gets a bash expression over the environment variable
 * (`${BILLERAPI_CLIENT_SECRET:0:11}x${BILLERAPI_CLIENT_SECRET:12}`), so that a counterexample
 * can be pasted and replayed without a secret ever being printed.
 */
import { credentialVariables, type CredentialRole, type Environment } from '../config/env';
import { keyPrefixes } from '../contract/spec';

export type Source =
  | { role: CredentialRole; part: 'id' | 'secret' }
  | { token: 'own' | 'other' };

export type Transform =
  | { kind: 'same' }
  | { kind: 'truncate'; keep: number }
  | { kind: 'extend'; suffix: string }
  | { kind: 'replace'; at: number; with: string }
  | { kind: 'swapcase' }
  | { kind: 'other-prefix' };

export type Value = { literal: string } | { source: Source; transform: Transform } | { concat: Value[] };

export const literal = (text: string): Value => ({ literal: text });
export const derived = (source: Source, transform: Transform = { kind: 'same' }): Value => ({ source, transform });
export const concat = (...values: Value[]): Value => (values.length === 1 ? values[0] : { concat: values });

/** The secrets and tokens a run holds, by source. */
export interface Secrets {
  environment: Environment;
  ownToken?: string;
  otherToken?: string;
}

/** Variables naming tokens in reproductions: tokens live only for a run, so the reader sets them. */
export const TOKEN_VARIABLES = { own: 'BILLERAPI_ACCESS_TOKEN', other: 'BILLERAPI_OTHER_ACCESS_TOKEN' } as const;

function sourceValue(source: Source, s: Secrets): string {
  if ('token' in source) {
    const token = source.token === 'own' ? s.ownToken : s.otherToken;
    if (!token) throw new Error(`No ${source.token} access token in this run.`);
    return token;
  }
  const credentials = s.environment[source.role];
  if (!credentials) throw new Error(`No ${source.role} client configured.`);
  return source.part === 'id' ? credentials.id : credentials.secret;
}

function variableOf(source: Source): string {
  if ('token' in source) return TOKEN_VARIABLES[source.token];
  const [idVar, secretVar] = credentialVariables[source.role];
  return source.part === 'id' ? idVar : secretVar;
}

const swapCase = (text: string) => [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');

function otherPrefixOf(value: string): [from: string, to: string] {
  return value.startsWith(keyPrefixes.sandbox) ? [keyPrefixes.sandbox, keyPrefixes.production] : [keyPrefixes.production, keyPrefixes.sandbox];
}

/** The character put in place: `with`, unless that is the character already there (then it would change nothing). */
function replacementOf(value: string, t: Extract<Transform, { kind: 'replace' }>): string {
  if (value[t.at] !== t.with) return t.with;
  return t.with === 'x' ? 'y' : 'x';
}

function applyTransform(value: string, t: Transform): string {
  switch (t.kind) {
    case 'same': return value;
    case 'truncate': return value.slice(0, t.keep);
    case 'extend': return value + t.suffix;
    case 'replace': return value.slice(0, t.at) + replacementOf(value, t) + value.slice(t.at + 1);
    case 'swapcase': return swapCase(value);
    case 'other-prefix': {
      const [from, to] = otherPrefixOf(value);
      return value.startsWith(from) ? to + value.slice(from.length) : to + value;
    }
  }
}

export function render(value: Value, s: Secrets): string {
  if ('literal' in value) return value.literal;
  if ('concat' in value) return value.concat.map((v) => render(v, s)).join('');
  return applyTransform(sourceValue(value.source, s), value.transform);
}

/** The secret-derived parts of a value (for describing it, and for the leak check). */
export function derivedParts(value: Value): Extract<Value, { source: Source }>[] {
  if ('literal' in value) return [];
  if ('concat' in value) return value.concat.flatMap(derivedParts);
  return [value];
}

// Shell rendering: a word is a list of parts, each quoted on its own; bash concatenates them.

/** A literal in bash: single quotes for printable ASCII, ANSI-C quoting ($'…') for anything else. */
export function shellLiteral(text: string): string {
  if (text === '') return "''";
  // A long run of one character (the oversized cases) is generated, not pasted.
  const run = /^(.)\1{63,}$/s.exec(text);
  if (run && /[A-Za-z0-9]/.test(run[1])) return `"$(printf '%${text.length}s' '' | tr ' ' '${run[1]}')"`;
  if (/^[\x20-\x7e]*$/.test(text)) return `'${text.replaceAll("'", `'\\''`)}'`;
  const bytes = [...Buffer.from(text, 'latin1')];
  const escaped = bytes.map((b) => (b >= 0x20 && b < 0x7f && b !== 0x27 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
  return `$'${escaped}'`;
}

/** The bash expression for a value, e.g. `"${BILLERAPI_CLIENT_SECRET:0:11}"'x'"${BILLERAPI_CLIENT_SECRET:12}"`. */
export function shellValue(value: Value, s: Secrets): string {
  if ('literal' in value) return shellLiteral(value.literal);
  if ('concat' in value) return value.concat.map((v) => shellValue(v, s)).join('');
  const v = variableOf(value.source);
  const t = value.transform;
  switch (t.kind) {
    case 'same': return `"\${${v}}"`;
    case 'truncate': return `"\${${v}:0:${t.keep}}"`;
    case 'extend': return `"\${${v}}"${shellLiteral(t.suffix)}`;
    case 'replace': return `"\${${v}:0:${t.at}}"${shellLiteral(replacementOf(sourceValue(value.source, s), t))}"\${${v}:${t.at + 1}}"`;
    case 'swapcase': return `"\${${v}~~}"`;
    case 'other-prefix': {
      const [from, to] = otherPrefixOf(sourceValue(value.source, s));
      return `${shellLiteral(to)}"\${${v}#${from}}"`;
    }
  }
}
