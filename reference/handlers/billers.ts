/** GET /billers and GET /billers/{biller_id} (A-004, A-015, A-024..A-026). */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { components } from '../../schemas/openapi';
import { catalogue, findBiller, liveBiller, nextStatusSample } from '../data';
import { badRequest, HttpError, type Switches } from '../http';
import { ok, type Handler } from './context';

type Biller = components['schemas']['Biller'];

/** The one answer to an unknown biller id, wherever it is looked up by path or body. */
export function billerNotFound(switches: Switches): HttpError {
  return switches.has('unknown-biller-400') ? badRequest('Biller not found') : new HttpError(404, 'Biller not found');
}

const CURSOR = /^o:(\d{1,6})$/;
const invalidCursor = () => badRequest(['cursor is not a valid cursor']);

/** Key of the opaque-cursors variation: one per process, so a cursor outlives no restart (A-025 allows it). */
const CURSOR_KEY = randomBytes(32);
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** The offset, AES-256-GCM-encrypted under a fresh nonce: a different cursor on every call for the same page. */
function sealOffset(offset: number): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', CURSOR_KEY, nonce);
  const sealed = Buffer.concat([cipher.update(`o:${offset}`, 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), sealed]).toString('base64url');
}

function openOffset(cursor: string): string | undefined {
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.length <= NONCE_BYTES + TAG_BYTES || bytes.toString('base64url') !== cursor) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', CURSOR_KEY, bytes.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(bytes.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

export function encodeCursor(offset: number, switches: Switches): string {
  return switches.has('opaque-cursors') ? sealOffset(offset) : Buffer.from(`o:${offset}`).toString('base64url');
}

/** The offset of an opaque cursor; anything this server did not issue is a 400. */
export function decodeCursor(cursor: string, switches: Switches): number {
  if (switches.has('opaque-cursors')) {
    const match = CURSOR.exec(openOffset(cursor) ?? '');
    if (!match) throw invalidCursor();
    return Number(match[1]);
  }
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || encodeCursor(Number(match[1]), switches) !== cursor) throw invalidCursor();
  return Number(match[1]);
}

interface BillerFilter {
  q?: string;
  category?: string;
  country?: string;
}

const isFiltered = ({ q, category, country }: BillerFilter) => q !== undefined || category !== undefined || country !== undefined;

/** The name rule of `q`: a substring, ignoring case; the q-filter-case-sensitive fault minds case. */
function nameMatches(name: string, q: string, switches: Switches): boolean {
  return switches.has('q-filter-case-sensitive') ? name.includes(q) : name.toLowerCase().includes(q.toLowerCase());
}

function matchesFilter(biller: Biller, { q, category, country }: BillerFilter, switches: Switches): boolean {
  return (
    (q === undefined || nameMatches(biller.name, q, switches)) &&
    (category === undefined || switches.has('ignore-category-filter') || biller.category === category) &&
    (country === undefined || biller.country === country)
  );
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** Where the next page starts: overlapping by one biller under the cursor-overlap fault. */
function nextOffset(offset: number, limit: number, switches: Switches): number {
  return switches.has('cursor-overlap') ? Math.max(offset + 1, offset + limit - 1) : offset + limit;
}

export const listBillers: Handler = ({ params, switches }) => {
  const limit = params.limit as number;
  const filter = params as BillerFilter;
  const offset = params.cursor === undefined ? 0 : decodeCursor(params.cursor as string, switches);
  const matching = catalogue(switches).filter((b) => matchesFilter(b, filter, switches));
  const ordered = switches.has('shuffled-billers') ? shuffled(matching) : matching;
  // The filtered-search-first-page-only fault ends a filtered search after its first page.
  const last = offset + limit >= ordered.length || (isFiltered(filter) && switches.has('filtered-search-first-page-only'));
  const sample = nextStatusSample();
  return ok({
    billers: ordered.slice(offset, offset + limit).map((b) => liveBiller(b, sample, switches)),
    next_cursor: last ? null : encodeCursor(nextOffset(offset, limit, switches), switches),
  });
};

export const getBiller: Handler = ({ params, switches }) => {
  const biller = findBiller(params.biller_id as string, switches);
  if (!biller) throw billerNotFound(switches);
  return ok({ biller: liveBiller(biller, nextStatusSample(), switches) });
};
