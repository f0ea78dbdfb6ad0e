/**
 * The one place secrets are taken out of output. Everything the harness prints, attaches or
 * writes passes through `redact()`: registered secrets (client secrets from the environment,
 * tokens seen in responses) and anything shaped like a BillerAPI secret are masked to a
 * recognisable prefix and at most their last four characters. Webhook signatures (`v1=` and
 * hex digits) too: a whole one is a valid credential for its body and timestamp, replayable
 * within the tolerance.
 */

const KNOWN_PREFIX = /^(bb_(?:test|live)_|(?:access|public|link)-(?:sandbox|production)-|whsec_|v1=)/;

/** Shapes of secrets we may not have registered (another client's, a partner's). */
const SECRET_SHAPES: readonly RegExp[] = [
  /bb_(?:test|live)_[A-Za-z0-9_-]{6,}/g,
  /(?:access|public|link)-(?:sandbox|production)-[0-9A-Za-z-]{8,}/g,
  /whsec_[A-Za-z0-9]{6,}/g,
  /\bv1=[0-9A-Fa-f]{16,}/g,
];

const MIN_REGISTERED_LENGTH = 8;

/** `bb_test_IJQ4…7pNC` → `bb_test_…7pNC`: a known prefix, and the last 4 characters only of values of 12 or more. */
export function maskSecret(secret: string): string {
  const prefix = KNOWN_PREFIX.exec(secret)?.[1] ?? '';
  const rest = secret.slice(prefix.length);
  return rest.length >= 12 ? `${prefix}…${rest.slice(-4)}` : `${prefix}…`;
}

export class Redactor {
  private readonly secrets = new Set<string>();

  register(...values: (string | undefined)[]): void {
    for (const value of values) {
      if (value && value.length >= MIN_REGISTERED_LENGTH) this.secrets.add(value);
    }
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so that a secret containing another is masked whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join(maskSecret(secret));
    }
    for (const shape of SECRET_SHAPES) out = out.replace(shape, (match) => maskSecret(match));
    return out;
  }
}

/** The process-wide redactor: every output path of the harness uses this one. */
export const redactor = new Redactor();

export function redact(text: string): string {
  return redactor.redact(text);
}
