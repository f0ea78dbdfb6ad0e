/** The handler of every operation, by operationId; app.ts refuses to start if one is missing. */
import { getBiller, listBillers } from './billers';
import { getBills } from './bills';
import type { Handler } from './context';
import { createLinkToken, exchangePublicToken, sandboxCreatePublicToken } from './link';
import { createWebhook, deleteWebhook, listWebhooks, sandboxFireWebhook } from './webhooks';

export const handlers: Readonly<Record<string, Handler>> = {
  listBillers,
  getBiller,
  createLinkToken,
  exchangePublicToken,
  sandboxCreatePublicToken,
  getBills,
  createWebhook,
  listWebhooks,
  deleteWebhook,
  sandboxFireWebhook,
};
