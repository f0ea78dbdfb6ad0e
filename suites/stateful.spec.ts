/**
 * Stateful testing: fast-check generates sequences of calls (register, list, fire at
 * and delete webhooks, as either client; use a deleted or another client's webhook ID; create
 * link and public tokens; exchange within FC_EXCHANGES; fetch bills with an own and a foreign
 * token), runs each against the target and a model of what the clients must observe, and
 * shrinks a failing sequence to the shortest one that still fails. Lifecycle bugs live in
 * sequences: a delete answered 200 that keeps the webhook, deliveries after a delete.
 *
 * One test, so that the replay command (`FC_SEED=… FC_PATH=… npm run conformance -- --grep
 * @STATEFUL`) selects exactly the property it replays. Its requests are paced by the run's
 * rate budget; it exchanges nothing unless FC_EXCHANGES says so (README, "Stateful testing").
 */
import { test as base } from '../lib/run/fixtures';
import { webhookUrl } from '../lib/contract/fixtures-data';
import { isLoopbackUrl } from '../lib/safety/loopback';
import { coversWithWrites, type RequirementId } from '../lib/contract/requirements';
import { COUNTEREXAMPLE_ANNOTATION, runStateful, STATEFUL_REQUIREMENTS, STATEFUL_TAG, statefulSettings, statefulTimeoutMs } from '../lib/stateful/run';
import { receiverOptionsFromEnv, startWebhookReceiver, type WebhookReceiver } from '../lib/webhooks/webhook-receiver';

const test = base.extend<{ receiver: WebhookReceiver }>({
  receiver: async ({}, use) => {
    const receiver = await startWebhookReceiver(receiverOptionsFromEnv());
    await use(receiver);
    await receiver.close();
  },
});

const CITED = STATEFUL_REQUIREMENTS as [RequirementId, ...RequirementId[]];
const details = coversWithWrites(...CITED);

test(
  'WEBHOOK-007..010 stateful: random sequences of webhook and link calls keep to the model of the clients\' sandbox',
  { tag: [...details.tag, STATEFUL_TAG], annotation: details.annotation },
  async ({ api, accounts, environment, run, outcomes, receiver }) => {
    const settings = statefulSettings(environment.name, run.groups);
    test.skip(settings.numRuns === 0, 'no stateful testing in this environment (it writes)');
    const timeoutMs = statefulTimeoutMs(settings, run.groups);
    test.setTimeout(timeoutMs);
    // A remote target reaches a receiver on this machine only through BILLERAPI_WEBHOOK_RECEIVER_URL.
    const reachable = !receiver.local || isLoopbackUrl(new URL(api.baseUrl));
    const report = await runStateful({
      api,
      environment,
      accounts,
      receiver: reachable ? receiver : undefined,
      webhookBase: reachable ? receiver.url : webhookUrl(),
      groups: run.groups,
      skip: (requirement, message) => outcomes.record({ result: 'skip', requirement, message }),
    }, settings, timeoutMs, CITED);
    // As data, for the project's own tests (tests/stateful.spec.ts): what failed, in how many steps, and its replay.
    for (const c of report.counterexamples) test.info().annotations.push({ type: COUNTEREXAMPLE_ANNOTATION, description: JSON.stringify(c) });
    const perSecond = report.sequences / (report.durationMs / 1000);
    test.info().annotations.push({
      type: 'stateful',
      description: `${report.sequences} sequence(s) of up to ${settings.maxCommands} commands (${report.commands} requests) in ${(report.durationMs / 1000).toFixed(1)} s (${perSecond.toFixed(1)}/s), ${report.exchanges} exchange(s), seed(s) ${report.seeds.join(', ')}${report.interrupted ? '; stopped early: the time budget ran out' : ''}`,
    });
  },
);
