/** GET /billers and GET /billers/{biller_id}. */
import type { components } from '../../schemas/openapi';
import { billers, findBiller } from '../data';
import { badRequest, HttpError, type Switches } from '../http';
import { ok, type Handler } from './context';

type Biller = components['schemas']['Biller'];

/** The one answer to an unknown biller id, wherever it is looked up by path or body. */
export function billerNotFound(switches: Switches): HttpError {
  return switches.has('unknown-biller-400') ? badRequest('Biller not found') : new HttpError(404, 'Biller not found');
}

const CURSOR = /^o:(\d{1,6})$/;

export function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

/** The offset of an opaque cursor; anything this server did not issue is a 400. */
export function decodeCursor(cursor: string): number {
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || encodeCursor(Number(match[1])) !== cursor) throw badRequest(['cursor is not a valid cursor']);
  return Number(match[1]);
}

interface BillerFilter {
  q?: string;
  category?: string;
  country?: string;
}

function matchesFilter(biller: Biller, { q, category, country }: BillerFilter, switches: Switches): boolean {
  return (
    (q === undefined || biller.name.toLowerCase().includes(q.toLowerCase())) &&
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
  const offset = params.cursor === undefined ? 0 : decodeCursor(params.cursor as string);
  const matching = billers.filter((b) => matchesFilter(b, params as BillerFilter, switches));
  const ordered = switches.has('shuffled-billers') ? shuffled(matching) : matching;
  const last = offset + limit >= ordered.length;
  return ok({
    billers: ordered.slice(offset, offset + limit),
    next_cursor: last ? null : encodeCursor(nextOffset(offset, limit, switches)),
  });
};

export const getBiller: Handler = ({ params, switches }) => {
  const biller = findBiller(params.biller_id as string);
  if (!biller) throw billerNotFound(switches);
  return ok({ biller });
};
