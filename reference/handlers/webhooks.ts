/** Webhook registration and POST /sandbox/webhooks/fire, delivered. */
import { randomBytes } from 'node:crypto';
import { spec } from '../../lib/contract/spec';
import type { components } from '../../schemas/openapi';
import { badRequest, notFound, type Switches } from '../http';
import type { StoredWebhook } from '../store';
import { isLoopbackUrl } from '../../lib/safety/loopback';
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

/** Under `webhook-list-lags`: a registration or a deletion shows in GET /webhooks this much later (x-consistency-seconds allows 2 s). */
const LIST_LAG_MS = 300;

/** What GET /webhooks shows of a client's webhooks: every live one, or, lagging, the state of LIST_LAG_MS ago. */
function listed(ctx: HandlerContext, clientId: string): StoredWebhook[] {
  const lag = ctx.switches.has('webhook-list-lags') ? LIST_LAG_MS : 0;
  const seenBy = ctx.now() - lag;
  const live = [...ctx.store.webhooks.values()].filter((w) => w.clientId === clientId && w.registeredAt <= seenBy);
  const lingering = lag === 0 ? [] : [...ctx.store.deletedWebhooks.values()].filter((w) => w.clientId === clientId && w.registeredAt <= seenBy && w.deletedAt > seenBy);
  const all = [...live, ...lingering].sort((a, b) => a.registeredAt - b.registeredAt);
  return ctx.switches.has('webhook-list-newest-first') ? all.reverse() : all;
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
  ctx.store.webhooks.set(webhook.webhook_id, { clientId: callerClientId(ctx), webhook, secret, registeredAt: ctx.now() });
  return { status: 201, body: { webhook, secret } };
};

export const listWebhooks: Handler = (ctx) => {
  const own = listed(ctx, callerClientId(ctx));
  const webhooks = ctx.switches.has('webhook-secret-in-list') ? own.map((w) => ({ ...w.webhook, secret: w.secret })) : own.map((w) => w.webhook);
  return ok({ webhooks });
};

export const deleteWebhook: Handler = (ctx) => {
  const webhookId = ctx.params.webhook_id as string;
  const clientId = callerClientId(ctx);
  const deleted = ok({ webhook_id: webhookId, deleted: true });
  if (ctx.switches.has('webhook-repeat-delete-200') && ctx.store.deletedWebhooks.get(webhookId)?.clientId === clientId) return deleted;
  const stored = ctx.switches.has('cross-client-webhook-delete') ? ctx.store.webhooks.get(webhookId) : undefined;
  const { webhook } = stored ?? ownWebhook(ctx, webhookId);
  if (ctx.switches.has('webhook-delete-keeps-webhook')) return deleted;
  const removed = ctx.store.webhooks.get(webhook.webhook_id)!;
  ctx.store.webhooks.delete(webhook.webhook_id);
  ctx.store.deletedWebhooks.set(webhook.webhook_id, { ...removed, deletedAt: ctx.now() });
  return deleted;
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
  const registered = () => ctx.store.webhooks.has(webhookId);
  if (subscribed) deliverEvent({ url: webhook.url, secret, event, now: ctx.now, switches: ctx.switches, registered });
  if (ctx.switches.has('webhook-delivers-after-delete')) {
    // The stale subscription list: every deleted webhook of the client gets the event too, whatever its types.
    const clientId = callerClientId(ctx);
    for (const gone of ctx.store.deletedWebhooks.values()) {
      if (gone.clientId === clientId) deliverEvent({ url: gone.webhook.url, secret: gone.secret, event, now: ctx.now, switches: ctx.switches });
    }
  }
  return ok({ event_id: event.event_id });
};
