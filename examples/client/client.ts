/**
 * A BillerAPI client as a partner writes one with fetch: both client credential headers on
 * every server-to-server call and never a credential in a URL; after a 429 it waits the
 * Retry-After period; a 500 it retries with exponential backoff, a few times, then gives up; a
 * 403 it reports without retrying; each access token fetches only its own linked account's
 * bills. `npm run observe` certifies it (tests/client-certification.spec.ts); `Behaviour` is
 * what its misbehaving variants (examples/client/misbehaving.ts) change.
 *
 *   BILLERAPI_BASE_URL=http://127.0.0.1:4010 BILLERAPI_CLIENT_ID=… BILLERAPI_CLIENT_SECRET=bb_test_… npx tsx examples/client/client.ts
 */

export interface Behaviour {
  /** After a 429: wait the Retry-After period, or retry at once. */
  retryAfter: 'honour' | 'ignore';
  /** The wait before the n-th retry of a request answered 500 (n from 1), in ms. */
  backoffMs(retry: number): number;
  /** Retries of one request, at most. */
  maxRetries: number;
  /** Whether a 403 is retried like a 500. */
  retryForbidden: boolean;
  /** Whether the secret is also put in the query string (as a request logger would then print it). */
  secretInQuery: boolean;
  /** Calls to paths starting with this forget X-Client-ID. */
  forgetClientIdOn?: string;
  /** Calls to paths starting with this send the production secret instead (a configuration mix-up). */
  liveSecretOn?: string;
  /** Whether each link's bills are fetched with the other link's token. */
  swapTokens: boolean;
}

export const wellBehaved: Behaviour = {
  retryAfter: 'honour',
  // 100, 200, 400 ms: doubling, so that an outage is not made worse by its own clients.
  backoffMs: (retry) => 100 * 2 ** (retry - 1),
  maxRetries: 3,
  retryForbidden: false,
  secretInQuery: false,
  swapTokens: false,
};

export interface ClientOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  behaviour?: Partial<Behaviour>;
  /** Stops the client, retries included. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly path: string) {
    super(`${path} answered ${status}`);
  }
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
});

export class BillerApiClient {
  readonly behaviour: Behaviour;

  constructor(private readonly options: ClientOptions) {
    this.behaviour = { ...wellBehaved, ...options.behaviour };
  }

  /** A client-credential call. */
  call(method: string, path: string, init: { query?: Record<string, string>; body?: unknown } = {}): Promise<any> {
    const b = this.behaviour;
    const on = (prefix: string | undefined) => prefix !== undefined && path.startsWith(prefix);
    const secret = on(b.liveSecretOn) ? this.options.clientSecret.replace(/^bb_test_/, 'bb_live_') : this.options.clientSecret;
    const headers: Record<string, string> = { 'X-Client-Secret': secret, ...(on(b.forgetClientIdOn) ? {} : { 'X-Client-ID': this.options.clientId }) };
    const query = { ...init.query, ...(b.secretInQuery ? { client_secret: secret } : {}) };
    return this.send(method, path, query, headers, init.body);
  }

  /** A Bearer call with a linked account's access token. */
  bearer(path: string, token: string, query: Record<string, string>): Promise<any> {
    return this.send('GET', path, query, { Authorization: `Bearer ${token}` });
  }

  private async send(method: string, path: string, query: Record<string, string>, headers: Record<string, string>, body?: unknown): Promise<any> {
    const b = this.behaviour;
    const url = `${this.options.baseUrl}${path}${Object.keys(query).length ? `?${new URLSearchParams(query)}` : ''}`;
    let errors = 0;
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(url, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: this.options.signal,
      });
      const text = await res.text();
      if (res.ok) return text ? JSON.parse(text) : undefined;
      const retryable = res.status === 429 || res.status >= 500 || (res.status === 403 && b.retryForbidden);
      if (!retryable || attempt >= b.maxRetries) throw new ApiError(res.status, path);
      // Retry-After counts from the answer; a 5xx backs off exponentially.
      const retryAfter = Number(res.headers.get('retry-after'));
      const wait = res.status === 429 && b.retryAfter === 'honour' && Number.isFinite(retryAfter) ? retryAfter * 1000
        : res.status === 429 ? 0 : b.backoffMs(++errors);
      this.options.log?.(`client: ${method} ${path} answered ${res.status}; retrying in ${wait} ms`);
      await sleep(wait, this.options.signal);
    }
  }
}

export interface FlowReport {
  billers: number;
  linked: number;
  bills: number;
  /** Calls that failed in the end, as `<path> answered <status>`. */
  failed: string[];
}

/**
 * A partner's flow: search billers, open a link (Connect's link token), link two sandbox accounts
 * and fetch their bills, register a webhook. A call that fails in the end is reported, and the
 * flow goes on without it.
 */
export async function runFlow(client: BillerApiClient): Promise<FlowReport> {
  const report: FlowReport = { billers: 0, linked: 0, bills: 0, failed: [] };
  const attempt = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      report.failed.push(error.message);
      return undefined;
    }
  };
  const listed = await attempt(() => client.call('GET', '/billers', { query: { limit: '5' } }));
  const billers: { biller_id: string; name: string }[] = listed?.billers ?? [];
  report.billers = billers.length;
  if (billers.length === 0) return report;
  await attempt(() => client.call('GET', `/billers/${billers[0].biller_id}`));
  await attempt(() => client.call('GET', '/billers', { query: { q: billers[0].name.slice(0, 3), limit: '5' } }));
  await attempt(() => client.call('POST', '/link/token/create', { body: { client_user_id: 'partner-user-1', biller_id: billers[0].biller_id } }));

  const links: { access_token: string; account_link_id: string }[] = [];
  for (const biller of billers.slice(0, 2)) {
    const created = await attempt(() => client.call('POST', '/sandbox/public_token/create', { body: { biller_id: biller.biller_id } }));
    const linked = created && await attempt(() => client.call('POST', '/link/token/exchange', { body: { public_token: created.public_token } }));
    if (linked) links.push(linked);
  }
  report.linked = links.length;
  for (const [i, link] of links.entries()) {
    const token = client.behaviour.swapTokens && links.length > 1 ? links[(i + 1) % links.length].access_token : link.access_token;
    const bills = await attempt(() => client.bearer('/bills/get', token, { account_link_id: link.account_link_id }));
    report.bills += bills?.bills?.length ?? 0;
  }
  await attempt(() => client.call('POST', '/webhooks', { body: { url: 'http://127.0.0.1:9/billerapi-webhooks' } }));
  return report;
}

if (require.main === module) {
  const { BILLERAPI_BASE_URL = 'http://127.0.0.1:4010', BILLERAPI_CLIENT_ID, BILLERAPI_CLIENT_SECRET } = process.env;
  if (!BILLERAPI_CLIENT_ID || !BILLERAPI_CLIENT_SECRET) {
    console.error('client: set BILLERAPI_CLIENT_ID and BILLERAPI_CLIENT_SECRET (the sandbox\'s, bb_test_…).');
    process.exit(2);
  }
  const client = new BillerApiClient({ baseUrl: BILLERAPI_BASE_URL, clientId: BILLERAPI_CLIENT_ID, clientSecret: BILLERAPI_CLIENT_SECRET, log: console.log });
  runFlow(client).then((report) => console.log(`client: ${JSON.stringify(report)}`), (error: Error) => {
    console.error(`client: ${error.message}`);
    process.exit(1);
  });
}
