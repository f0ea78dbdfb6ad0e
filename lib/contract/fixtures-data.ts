/** Request bodies and parameters the suites share. */
import { randomUUID } from 'node:crypto';

/**
 * Webhook URL for registration checks: HTTPS on loopback, so that a real sandbox accepts it
 * and any delivery stays on the server's own machine. BILLERAPI_WEBHOOK_URL overrides it.
 */
export function webhookUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.BILLERAPI_WEBHOOK_URL ?? 'https://127.0.0.1:9/billerapi-conformance';
}

export function linkTokenRequest(): { client_user_id: string } {
  return { client_user_id: `conformance-${randomUUID()}` };
}
