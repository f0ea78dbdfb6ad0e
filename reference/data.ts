/** Deterministic sandbox data: the test billers and the bills of a linked test account, and their variations. */
import { createHash, randomUUID } from 'node:crypto';
import { serverUrls, spec } from '../lib/contract/spec';
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

function digest(seed: string): Buffer {
  return createHash('sha256').update(seed).digest();
}

/** The reference's own test billers, sorted by biller_id. */
export const billers: readonly Biller[] = billerRows
  .map(toBiller)
  .sort((a, b) => (a.biller_id < b.biller_id ? -1 : 1));

/** The large-catalogue variation: 237 billers, none of the names, ids or countries above. */
export const LARGE_CATALOGUE_SIZE = 237;

const largeCatalogueCountries = {
  DE: ['EUR', ['Rhein', 'München', 'Hansa', 'Elbe', 'Schwarzwald']],
  FR: ['EUR', ['Lyon', 'Île-de-France', 'Provence', 'Loire', 'Bretagne']],
  NZ: ['NZD', ['Kiwi', 'Waikato', 'Tasman', 'Canterbury', 'Aotearoa']],
  IE: ['EUR', ['Liffey', 'Shannon', 'Emerald', 'Connacht', 'Leinster']],
  JP: ['JPY', ['Sakura', 'Kanto', 'Kansai', 'Fuji', 'Hokkaido']],
  ZA: ['ZAR', ['Cape', 'Highveld', 'Karoo', 'Zulu Coast', 'Table Bay']],
  IN: ['INR', ['Ganga', 'Deccan', 'Malabar', 'Punjab', 'Bengal']],
  BR: ['BRL', ['Paulista', 'Carioca', 'Amazônia', 'Gaúcha', 'Minas']],
  MX: ['MXN', ['Azteca', 'Baja', 'Yucatán', 'Sierra', 'Jalisco']],
  SG: ['SGD', ['Merlion', 'Straits', 'Orchard', 'Sentosa', 'Marina']],
  NL: ['EUR', ['Polder', 'Delta', 'Oranje', 'Zuiderzee', 'Holland']],
  SE: ['SEK', ['Norrland', 'Göta', 'Vasa', 'Malmö', 'Baltic']],
} as const satisfies Record<string, readonly [string, readonly string[]]>;

const largeCatalogueNouns: Readonly<Record<Category, readonly string[]>> = {
  electricity: ['Energy', 'Power', 'Electric', 'Grid'],
  gas: ['Gas', 'Gasworks'],
  water: ['Water', 'Waterworks', 'Aqua'],
  internet: ['Fibre', 'Broadband', 'Net'],
  mobile: ['Mobile', 'Telecom', 'Wireless'],
  insurance: ['Insurance', 'Assurance', 'Mutual'],
  credit_card: ['Card', 'Credit'],
  other: ['Council', 'Rates', 'Parking', 'Tolls'],
};

/** Every (country, place, category) once, in an order fixed by a hash; the first LARGE_CATALOGUE_SIZE become billers. */
function largeCatalogue(): Biller[] {
  const categories = spec.components.schemas.BillerCategory.enum as Category[];
  const combos = Object.entries(largeCatalogueCountries).flatMap(([country, [currency, places]]) =>
    places.flatMap((place) => categories.map((category) => ({ country, currency, place, category, rank: digest(`${country}:${place}:${category}`) }))));
  const chosen = combos.sort((a, b) => Buffer.compare(a.rank, b.rank)).slice(0, LARGE_CATALOGUE_SIZE);
  return chosen.map(({ country, currency, place, category, rank }, n): Biller => {
    const nouns = largeCatalogueNouns[category];
    const plain = `${place} ${nouns[rank[0] % nouns.length]}`;
    // Some brands write their name in capitals or in lower case: search must not care.
    const name = n % 11 === 3 ? plain.toUpperCase() : n % 13 === 5 ? plain.toLowerCase() : plain;
    const billerId = `bil_${rank.toString('hex').slice(0, 12)}`;
    return {
      biller_id: billerId,
      name,
      category,
      country,
      currency,
      status: rank[1] % 17 === 0 ? 'down' : rank[1] % 7 === 0 ? 'degraded' : 'healthy',
      logo_url: rank[2] % 5 === 0 ? null : `https://assets.billers.example/${billerId.slice(4)}.svg`,
    };
  }).sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || (a.biller_id < b.biller_id ? -1 : 1));
}

const large: readonly Biller[] = largeCatalogue();

/** The test billers the switches choose, in listing order. */
export function catalogue(switches: Switches): readonly Biller[] {
  return switches.has('large-catalogue') ? large : billers;
}

export function findBiller(billerId: string, switches: Switches): Biller | undefined {
  return catalogue(switches).find((b) => b.biller_id === billerId);
}

/** Under live-biller-status each request samples the billers' health anew (A-024). */
let statusSamples = 0;

/** The sample a request reads the billers' health from: a new one on every call. */
export function nextStatusSample(): number {
  statusSamples += 1;
  return statusSamples;
}

/** The biller as one request sees it: only `status` may differ from the catalogue, and only under live-biller-status. */
export function liveBiller(biller: Biller, sample: number, switches: Switches): Biller {
  if (!switches.has('live-biller-status') || biller.status === 'down') return biller;
  const health = digest(`${biller.biller_id}:${sample}`);
  return { ...biller, status: health[0] % 4 === 0 ? 'degraded' : 'healthy' };
}

const STATEMENT_DATES = ['2026-08-01', '2026-09-01', '2026-10-01'] as const;
/** Under bills-relative-to-today: each statement's age in days on the day of the request (UTC). */
const STATEMENT_AGES_DAYS = [75, 45, 15] as const;
const STATUSES = ['paid', 'paid', 'due'] as const;
const DAYS_DUE_AFTER_STATEMENT = 21;
const DAYS_PAID_BEFORE_DUE = 5;

function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The statement dates of the 3 bills: fixed, or relative to today: the same for every link read on one day. */
export function statementDates(now: number, switches: Switches): readonly string[] {
  if (!switches.has('bills-relative-to-today')) return STATEMENT_DATES;
  const today = new Date(now).toISOString().slice(0, 10);
  return STATEMENT_AGES_DAYS.map((age) => addDays(today, -age));
}

function money(amount: number, currency: string, switches: Switches): Money {
  if (switches.has('schema-drift')) return { amount: (amount / 100).toFixed(2), currency } as unknown as Money;
  return { amount, currency };
}

/** The 3 bills of a `user_good` link: amounts and mask follow from the biller id alone, dates from the day at most. */
export function billsOf(link: AccountLink, biller: Biller, now: number, switches: Switches): Bill[] {
  const amounts = digest(switches.has('random-bill-amounts') ? randomUUID() : biller.biller_id);
  const mask = String(digest(`mask:${biller.biller_id}`).readUInt16BE(0) % 10_000).padStart(4, '0');
  const linkHex = link.linkId.slice('link_'.length);
  return statementDates(now, switches).map((statementDate, n) => {
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
