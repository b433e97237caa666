import { Inject, Injectable } from '@nestjs/common';
import { CONFLICT, retryOnConflict } from '../../common/retry-on-conflict';
import { AppConfig, ConfigService } from '../../config/config.module';
import { admit, CapEntry, release } from './frequency-cap';
import { FrequencyWindowsRepository } from './frequency-windows.repository';
import type { Channel } from '../unsubscribe/unsubscribe-token';

/** What a look at the window decided: the answer to give, and the entries to store, if any. */
interface WindowDecision<T> {
  answer: T;
  write?: CapEntry[];
}

/**
 * Global per-lead caps: at most EMAIL_DAILY_CAP_PER_LEAD emails and SMS_DAILY_CAP_PER_LEAD
 * texts in any 24 hours, across journeys. A slot is taken before the provider is called
 * and keyed by the delivery, so a retried send reuses its own slot.
 *
 * Concurrency: a lead's window on a channel is one document, and every write to it is a
 * compare-and-set on its version (the first one an insert, which the unique `_id` settles),
 * a single conditional statement that MongoDB, and FerretDB as tools/ferretdb patches it,
 * apply atomically. Of writers in any number of processes that read the same version, one
 * succeeds; the others read again and decide afresh, so the cap is exact everywhere. Each
 * conflict is someone else's slot taken or given back, and nothing is written once the
 * window is full, so the retries end soon.
 */
@Injectable()
export class FrequencyCapsService {
  private readonly caps: Record<Channel, number>;

  constructor(
    @Inject(FrequencyWindowsRepository) private readonly windows: FrequencyWindowsRepository,
    @Inject(ConfigService) config: AppConfig,
  ) {
    this.caps = {
      email: config.get('EMAIL_DAILY_CAP_PER_LEAD', { infer: true }),
      sms: config.get('SMS_DAILY_CAP_PER_LEAD', { infer: true }),
    };
  }

  /** Takes a slot for delivery `key`, or answers false when the lead's cap is reached. */
  reserve(workspaceId: string, leadId: string, channel: Channel, key: string, now: Date): Promise<boolean> {
    return this.decide(workspaceId, leadId, channel, now, (sends) => {
      const decision = admit(sends, key, now, this.caps[channel]);
      return { answer: decision.admitted, ...(decision.admitted && decision.changed && { write: decision.entries }) };
    });
  }

  /** Gives back the slot of a delivery that will not go out (the recipient opted out, or the send failed for good). */
  async release(workspaceId: string, leadId: string, channel: Channel, key: string, now: Date): Promise<void> {
    await this.decide(workspaceId, leadId, channel, now, (sends) => ({
      answer: undefined,
      ...(sends.some((entry) => entry.key === key) && { write: release(sends, key) }),
    }));
  }

  /** Reads the window, decides, and stores the decision only if the window is still as read; else again. */
  private decide<T>(
    workspaceId: string,
    leadId: string,
    channel: Channel,
    now: Date,
    decide: (sends: CapEntry[]) => WindowDecision<T>,
  ): Promise<T> {
    // Giving up fails the send, and Temporal retries the activity later.
    return retryOnConflict(`frequency window of lead ${leadId} (${channel})`, async () => {
      const current = await this.windows.read(workspaceId, leadId, channel);
      const { answer, write } = decide(current.sends);
      if (!write) return answer;
      return (await this.windows.write(workspaceId, leadId, channel, current, write, now)) ? answer : CONFLICT;
    });
  }
}
