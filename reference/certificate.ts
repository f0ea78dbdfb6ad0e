/**
 * A certificate authority made at start and a server certificate it signs for this machine's
 * names (127.0.0.1, ::1, localhost): HTTPS on loopback that a client trusts only when given
 * the authority, as it would a partner's private CA.
 */
import { randomBytes } from 'node:crypto';
import { generate } from 'selfsigned';

export interface LoopbackCertificate {
  /** The authority's certificate (PEM): what a client must be given to trust the server. */
  authority: string;
  /** The server's private key (PEM). */
  key: string;
  /** The server's certificate followed by the authority's (PEM), as a server presents its chain. */
  chain: string;
}

const VALID_DAYS = 7;
const DAY_MS = 86_400_000;

/** Names the server certificate holds: the hosts the reference listens on by default. */
export const LOOPBACK_NAMES = { dns: ['localhost'], ips: ['127.0.0.1', '::1'] } as const;

function validity(now: Date): { notBeforeDate: Date; notAfterDate: Date } {
  // An hour back, so a clock a little behind the server's still accepts it.
  return { notBeforeDate: new Date(now.getTime() - 3_600_000), notAfterDate: new Date(now.getTime() + VALID_DAYS * DAY_MS) };
}

export async function generateLoopbackCertificate(now = new Date()): Promise<LoopbackCertificate> {
  // A name of its own: a client that still trusts an earlier run's authority must not mistake it for this one.
  const authorityName = `BillerAPI reference CA ${randomBytes(4).toString('hex')}`;
  const authority = await generate([{ name: 'commonName', value: authorityName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...validity(now),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...validity(now),
    ca: { key: authority.private, cert: authority.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...LOOPBACK_NAMES.dns.map((value) => ({ type: 2 as const, value })), ...LOOPBACK_NAMES.ips.map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  return { authority: authority.cert, key: server.private, chain: `${server.cert.trim()}\n${authority.cert.trim()}\n` };
}
