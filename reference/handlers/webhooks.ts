/** Webhook registration and POST /sandbox/webhooks/fire, delivered. */
import { randomBytes } from 'node:crypto';
import { spec } from '../../lib/spec';
import type { components } from '../../schemas/openapi';
import { badRequest, notFound, type Switches } from '../http';
import type { StoredWebhook } from '../store';
import { isLoopbackUrl } from '../../lib/loopback';
import { deliverEvent, type WebhookEvent } from '../webhook-delivery';
import { callerClientId, ok, type Handler, type HandlerContext } from './context';

type Schemas = components['schemas'];
type EventType = Schemas['WebhookEventType'];

const ALL_EVENT_TYPES: readonly EventType[] = spec.components.schemas.WebhookEventType.enum;

/** What a registration without `events` subscribes to: every type, or one (`webhook-default-events-subset`). */
function defaultEvents(switches: Switches): EventType[] {
  return switches.has('webhook-default-events-subset') ? ['BILLS_UPDATED'] : [...ALL_EVENT_TYPES];
}

/** https anywhere; plain http only to a loopback receiver, which only the sandbox allows. */
function urlAllowed(raw: string, switches: Switches): boolean {
  if (!URL.canParse(raw)) return false;
  const url = new URL(raw);
  if (url.protocol === 'http:' && switches.has('accept-http-webhook-url')) return true;
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackUrl(url));
}

function ownWebhook(ctx: HandlerContext, webhookId: string): StoredWebhook {
  const stored = ctx.store.webhooks.get(webhookId);
  // Another client's webhook answers exactly like an unknown one.
  if (!stored || stored.clientId !== callerClientId(ctx)) throw notFound('Webhook not found');
  return stored;
}

export const createWebhook: Handler = (ctx) => {
  const { url, events = defaultEvents(ctx.switches) } = ctx.body as Schemas['WebhookCreateRequest'];
  if (!urlAllowed(url, ctx.switches)) throw badRequest(['url must use https (http is allowed only for loopback hosts)']);
  const webhook = {
    webhook_id: `wh_${randomBytes(12).toString('hex')}`,
    url,
    events,
    created_at: new Date(ctx.now()).toISOString(),
  };
  const secret = `whsec_${randomBytes(16).toString('hex')}`;
  ctx.store.webhooks.set(webhook.webhook_id, { clientId: callerClientId(ctx), webhook, secret });
  return { status: 201, body: { webhook, secret } };
};

export const listWebhooks: Handler = (ctx) => {
  const clientId = callerClientId(ctx);
  const own = [...ctx.store.webhooks.values()].filter((w) => w.clientId === clientId);
  const listed = ctx.switches.has('webhook-secret-in-list') ? own.map((w) => ({ ...w.webhook, secret: w.secret })) : own.map((w) => w.webhook);
  return ok({ webhooks: listed });
};

export const deleteWebhook: Handler = (ctx) => {
  const { webhook } = ownWebhook(ctx, ctx.params.webhook_id as string);
  ctx.store.webhooks.delete(webhook.webhook_id);
  return ok({ webhook_id: webhook.webhook_id, deleted: true });
};

export const sandboxFireWebhook: Handler = (ctx) => {
  const { webhook_id: webhookId, event_type: eventType } = ctx.body as Schemas['SandboxWebhookFireRequest'];
  const { webhook, secret } = ownWebhook(ctx, webhookId);
  const event: WebhookEvent = {
    event_id: `evt_${randomBytes(12).toString('hex')}`,
    event_type: eventType,
    created_at: new Date(ctx.now()).toISOString(),
    data: {},
  };
  // Under webhook-default-events-subset an event goes only to webhooks subscribed to its type; the reference delivers every fired event.
  const subscribed = !ctx.switches.has('webhook-default-events-subset') || webhook.events.includes(eventType);
  if (subscribed) deliverEvent({ url: webhook.url, secret, event, now: ctx.now, switches: ctx.switches });
  return ok({ event_id: event.event_id });
};
