/**
 * The steps of a stateful sequence as a person reads and replays them: every request with its
 * values symbolic where they are secret or come from an earlier answer (`$WH_1`, the webhook
 * step 1 registered; `${BILLERAPI_CLIENT_SECRET}`), printed as numbered steps and as a bash
 * script of curl calls that sets each variable from the answer that gave it, so a shrunk
 * sequence pastes into bash without a secret ever being printed (as lib/fuzz/fuzz-values.ts does
 * for single requests).
 */
import type { Exchange } from '../transport/client';
import { credentialVariables, type CredentialRole } from '../config/env';
import { shellLiteral } from '../fuzz/fuzz-values';
import type { RequirementId } from '../contract/requirements';
import { operation } from '../contract/spec';

/** The clients a sequence acts as. */
export type Role = 'primary' | 'second';
export const ROLES: readonly Role[] = ['primary', 'second'];

export const otherRole = (role: Role): Role => (role === 'primary' ? 'second' : 'primary');

/** A value of a request. */
export type Sym =
  | { literal: string }
  /** A value an earlier answer of the sequence gave: the script sets the variable from that answer. */
  | { variable: string; value: string }
  /** A value the reader sets (a setup link's access token), named by its variable. */
  | { env: string; value: string };

export const literal = (text: string): Sym => ({ literal: text });

/** The real value sent. */
export function valueOf(s: Sym): string {
  return 'literal' in s ? s.literal : s.value;
}

/** How the numbered steps show a value: variables by name, literals as they are. */
export function shown(s: Sym): string {
  return 'literal' in s ? s.literal : `$${'variable' in s ? s.variable : s.env}`;
}

export type StepAuth = { role: Role } | { bearer: Sym };

export interface StepRequest {
  operationId: string;
  auth: StepAuth;
  params?: Readonly<Record<string, Sym>>;
  query?: Readonly<Record<string, Sym>>;
  /** A JSON object: each field a scalar value or a list of literals. */
  body?: Readonly<Record<string, Sym | readonly string[]>>;
  /** Variables the answer sets: name → the JSON field it is read from. */
  captures?: Readonly<Record<string, string>>;
}

export interface Step {
  /** 1-based, among the commands that ran. */
  n: number;
  /** The call; absent on a wait. */
  request?: StepRequest;
  /** A pause of the sequence instead of a call: how long, and why. */
  wait?: { ms: number; why: string };
  /** What the model expects, e.g. `404`, `200 listing $WH_1, not $WH_2`. */
  expected: string;
  /** What came, e.g. `200 OK`; set once answered. */
  received: string;
  /** The status the script compares with (the first of `expected`). */
  expectedStatus: number;
  exchange?: Exchange;
  /** The requirement this step broke, on the failing step. */
  broke?: RequirementId;
}

const roleName = (role: Role) => (role === 'primary' ? 'the primary client' : 'the second client');

function authShown(auth: StepAuth): string {
  return 'role' in auth ? `as ${roleName(auth.role)}` : `with Bearer ${shown(auth.bearer)}`;
}

function pathOf(request: StepRequest, render: (s: Sym) => string): string {
  const op = operation(request.operationId);
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = request.params?.[name];
    if (value === undefined) throw new Error(`${request.operationId} needs the path parameter "${name}".`);
    return render(value);
  });
  const query = Object.entries(request.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${render(v)}`);
  return query.length === 0 ? path : `${path}?${query.join('&')}`;
}

/** The body as JSON text, each symbolic value rendered by `render` in place of its JSON string. */
function bodyText(body: StepRequest['body'], render: (s: Sym) => string): string | undefined {
  if (!body) return undefined;
  const fields = Object.entries(body).map(([k, v]) => `${JSON.stringify(k)}:${Array.isArray(v) ? JSON.stringify(v) : render(v as Sym)}`);
  return `{${fields.join(',')}}`;
}

/** The real request: path with query, and body text. */
export function realRequest(request: StepRequest): { params: Record<string, string>; query: Record<string, string>; body?: string } {
  const map = (r: Readonly<Record<string, Sym>> | undefined) => Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, valueOf(v)]));
  return { params: map(request.params), query: map(request.query), body: bodyText(request.body, (s) => JSON.stringify(valueOf(s))) };
}

/** One numbered step: `3. DELETE /webhooks/$WH_1 as the primary client: expected 404, received 200 OK  ✗ WEBHOOK-008`. */
export function stepLine(step: Step): string {
  if (!step.request) return `${step.n}. wait ${Number(((step.wait?.ms ?? 0) / 1000).toFixed(3))} s (${step.wait?.why ?? ''})`;
  const op = operation(step.request.operationId);
  const body = bodyText(step.request.body, (s) => ('literal' in s ? JSON.stringify(s.literal) : shown(s)));
  const mark = step.broke ? `  ✗ ${step.broke}` : '';
  return `${step.n}. ${op.method} ${pathOf(step.request, (s) => ('literal' in s ? encodeURIComponent(s.literal) : shown(s)))} ${authShown(step.request.auth)}${body ? ` ${body}` : ''}: expected ${step.expected}, received ${step.received}${mark}`;
}

// Bash: every value of the script is either a literal, quoted, or a variable reference.

/** A part of a double-quoted bash word: `$`, backquote, `"` and `\` escaped. */
const inDoubleQuotes = (text: string) => text.replace(/(["\\$`])/g, '\\$1');

function variableName(s: Exclude<Sym, { literal: string }>): string {
  return 'variable' in s ? s.variable : s.env;
}

/** A value inside a double-quoted word. */
const doubleQuoted = (s: Sym) => ('literal' in s ? inDoubleQuotes(s.literal) : `\${${variableName(s)}}`);

/** A value inside single-quoted JSON: a variable closes the quote, splices itself in, and reopens it. */
const jsonSpliced = (s: Sym) =>
  'literal' in s ? JSON.stringify(s.literal).replaceAll("'", `'\\''`) : `"'"\${${variableName(s)}}"'"`;

/** Which configured client acts as each role of a sequence (lib/stateful/run.ts `statefulRoles`). */
export type RoleClients = Readonly<Record<Role, CredentialRole>>;
export const PLAIN_ROLE_CLIENTS: RoleClients = { primary: 'primary', second: 'second' };

function authWords(auth: StepAuth, clients: RoleClients): string[] {
  if ('bearer' in auth) return ['-H', `"Authorization: Bearer ${doubleQuoted(auth.bearer)}"`];
  const [idVar, secretVar] = credentialVariables[clients[auth.role]];
  return ['-H', `"X-Client-ID: \${${idVar}}"`, '-H', `"X-Client-Secret: \${${secretVar}}"`];
}

/** The curl arguments of one step, after `call N STATUS`. */
export function curlWords(request: StepRequest, clients: RoleClients): string {
  const op = operation(request.operationId);
  const words = ['-X', op.method, '-H', shellLiteral('Accept: application/json'), ...authWords(request.auth, clients)];
  const body = bodyText(request.body, jsonSpliced);
  if (body !== undefined) words.push('-H', shellLiteral('Content-Type: application/json'), '--data-raw', `'${body}'`);
  words.push(`"$BASE${pathOf(request, (s) => ('literal' in s ? inDoubleQuotes(encodeURIComponent(s.literal)) : doubleQuoted(s)))}"`);
  return words.join(' ');
}

/** The shell helpers the script starts with: `call` prints `N. <status> (expected S)` and keeps the body in R; `field` reads a string field. */
const HELPERS = [
  `field() { printf %s "$1" | tr -d '\\n' | sed -nE "s/.*\\"$2\\"[[:space:]]*:[[:space:]]*\\"([^\\"]*)\\".*/\\1/p"; }`,
  `call() { local n=$1 want=$2; shift 2; R=$(curl -sS -w '\\n%{http_code}' "$@"); echo "$n. \${R##*$'\\n'} (expected $want)"; R=\${R%$'\\n'*}; }`,
];

/** Environment variables the script reads (credentials of the roles it acts as, tokens the reader sets). */
function variablesRead(steps: readonly Step[], clients: RoleClients): string[] {
  const names = new Set<string>();
  const add = (s: Sym | readonly string[] | undefined) => {
    if (s && !Array.isArray(s) && 'env' in (s as Sym)) names.add((s as { env: string }).env);
  };
  for (const { request } of steps) {
    if (!request) continue;
    if ('role' in request.auth) credentialVariables[clients[request.auth.role]].forEach((v) => names.add(v));
    else add(request.auth.bearer);
    for (const s of [...Object.values(request.params ?? {}), ...Object.values(request.query ?? {}), ...Object.values(request.body ?? {})]) add(s);
  }
  return [...names];
}

/**
 * The sequence as a bash script of curl calls against `baseUrl`. Each call prints its status
 * and the status the model expects (`3. 200 (expected 404)`); each answer a later step needs
 * sets its variable (`WH_1=$(field "$R" webhook_id)`).
 */
export function bashScript(steps: readonly Step[], baseUrl: string, envName: string, clients: RoleClients, notes: readonly string[] = []): string[] {
  const lines = [
    `# bash, reading ${variablesRead(steps, clients).join(', ')} from the environment (set -a; . ./.env.${envName}; set +a)`,
    ...notes.map((note) => `# ${note}`),
    `BASE=${shellLiteral(baseUrl)}`,
    ...HELPERS,
  ];
  for (const step of steps) {
    if (!step.request) {
      lines.push(`sleep ${Number(((step.wait?.ms ?? 0) / 1000).toFixed(3))}`);
      continue;
    }
    const captures = Object.entries(step.request.captures ?? {}).map(([name, field]) => `; ${name}=$(field "$R" ${field})`).join('');
    lines.push(`call ${step.n} ${step.expectedStatus} ${curlWords(step.request, clients)}${captures}`);
  }
  return lines;
}
