/** How a request authenticates: the two documented modes, plus raw headers for negative cases. */
import type { ClientCredentials } from '../config/env';

export type Auth =
  | { kind: 'client'; id: string; secret: string; idHeader?: string; secretHeader?: string }
  | { kind: 'bearer'; token: string; scheme?: string }
  | { kind: 'headers'; headers: readonly (readonly [string, string])[] }
  | { kind: 'none' };

export const CLIENT_ID_HEADER = 'X-Client-ID';
export const CLIENT_SECRET_HEADER = 'X-Client-Secret';

export function clientAuth(c: ClientCredentials): Auth {
  return { kind: 'client', id: c.id, secret: c.secret };
}

export function bearerAuth(token: string, scheme = 'Bearer'): Auth {
  return { kind: 'bearer', token, scheme };
}

export function rawHeaders(...headers: (readonly [string, string])[]): Auth {
  return { kind: 'headers', headers };
}

export const noAuth: Auth = { kind: 'none' };

export function authHeaders(auth: Auth): (readonly [string, string])[] {
  switch (auth.kind) {
    case 'client':
      return [
        [auth.idHeader ?? CLIENT_ID_HEADER, auth.id],
        [auth.secretHeader ?? CLIENT_SECRET_HEADER, auth.secret],
      ];
    case 'bearer':
      return [['Authorization', `${auth.scheme ?? 'Bearer'} ${auth.token}`]];
    case 'headers':
      return [...auth.headers];
    case 'none':
      return [];
  }
}
