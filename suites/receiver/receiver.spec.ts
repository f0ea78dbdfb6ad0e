/**
 * Webhook receiver certification (RECV-*, A-031): deliveries sent to a partner's receiver, one
 * test per requirement (lib/integrations/receiver.ts holds the cases). Each answer is judged
 * where it arrives and recorded as an outcome, so that scripts/receiver.ts takes the verdict
 * from the verdict module and the report from the certification module, as `certify` does.
 * Before a delivery the receiver must refuse, it must acknowledge a correctly signed one: if it
 * does not, that is RECV-001's failure, and the test stops with its own requirement unjudged.
 */
import { expect, type TestInfo } from '@playwright/test';
import { covers } from '../../lib/contract/requirements';
import type { Failure } from '../../lib/judgement/checks';
import type { OutcomeRecorder } from '../../lib/judgement/outcomes';
import { test as recording } from '../../lib/run/outcomes-fixture';
import { redactor } from '../../lib/transport/redact';
import {
  controlDelivery, deliver, formatDelivery, formatReceiverFailure, judgeAnswer, newSigning, receiverChecks,
  type Answer, type Delivery, type ReceiverCase, type ReceiverTarget, receiverTargetFromEnv,
} from '../../lib/integrations/receiver';
import type { RequirementId } from '../../lib/contract/requirements';

const certification = expect.extend({
  toHold(failure: Failure | undefined, message: string) {
    return { pass: failure === undefined, name: 'toHold', message: () => message };
  },
});

/** One test's deliveries: each sent, judged and recorded; the log becomes the test's evidence. */
class ReceiverProbe {
  readonly log: string[] = [];

  constructor(private readonly target: ReceiverTarget, private readonly recorder: OutcomeRecorder) {}

  private async send(name: string, d: Delivery): Promise<Answer> {
    const answer = await recording.step(`POST (${name})`, () => deliver(this.target.url, d));
    // Counted as the verdict module counts API answers: nearly all the same 404 page is a wrong URL, not a verdict.
    if ('status' in answer) this.recorder.answer(answer.status, answer.contentType, isJson(answer.body));
    this.log.push(formatDelivery(this.target.url, name, d, answer));
    return answer;
  }

  /** Records a failure; a MUST fails the test softly, so that the other cases still run. */
  private record(failure: Failure, name: string): string {
    const message = formatReceiverFailure(failure, this.target.url, name);
    this.recorder.record({ result: 'fail', requirement: failure.requirement, message, expected: failure.expected, received: failure.received, exchange: this.log.at(-1) });
    return message;
  }

  /** Sends a case's deliveries (after the control, for a refusal) and judges the last one against `requirement`. */
  async judge(requirement: RequirementId, c: ReceiverCase): Promise<void> {
    const signing = newSigning(this.target.secret);
    redactor.register(signing.otherSecret);
    const deliveries = c.deliveries(signing);
    const scene: [string, Delivery][] = [
      ...(c.expect === 'refused' ? [[`control for "${c.name}": correctly signed`, controlDelivery(signing)] as [string, Delivery]] : []),
      ...deliveries.slice(0, -1).map((d, i): [string, Delivery] => [`${c.name}: delivery ${i + 1} of ${deliveries.length}`, d]),
    ];
    for (const [name, d] of scene) {
      const failure = judgeAnswer('RECV-001', 'acknowledged', await this.send(name, d));
      if (failure) this.stop(failure, name);
    }
    const failure = judgeAnswer(requirement, c.expect, await this.send(c.name, deliveries.at(-1)!));
    if (!failure) return;
    const message = this.record(failure, c.name);
    this.recorder.softFailures += 1;
    certification.soft(failure).toHold(message);
  }

  /** A delivery that had to be acknowledged was not: what the test was about cannot be judged. */
  private stop(failure: Failure, name: string): never {
    const message = this.record(failure, name);
    this.recorder.stoppedOnRecord = true;
    throw new Error(`Precondition failed:\n${message}`);
  }

  async attach(testInfo: TestInfo): Promise<void> {
    if (this.log.length > 0) await testInfo.attach('deliveries.txt', { body: this.log.join('\n\n----\n\n'), contentType: 'text/plain' });
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const test = recording.extend<{ probe: ReceiverProbe }, { target: ReceiverTarget }>({
  target: [
    async ({}, use) => {
      const target = receiverTargetFromEnv();
      redactor.register(target.secret);
      await use(target);
    },
    { scope: 'worker' },
  ],
  probe: async ({ target, outcomes }, use, testInfo) => {
    const probe = new ReceiverProbe(target, outcomes);
    await use(probe);
    await probe.attach(testInfo);
  },
});

for (const check of receiverChecks) {
  test(`${check.requirement} ${check.title}`, covers(check.requirement), async ({ probe }) => {
    for (const c of check.cases) await probe.judge(check.requirement, c);
  });
}
