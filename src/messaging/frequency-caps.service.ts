import { Inject, Injectable } from '@nestjs/common';
import { KeyedLock } from '../common/keyed-lock';
import { AppConfig, ConfigService } from '../config/config.module';
import { admit, CapEntry, release } from './frequency-cap';
import { FrequencyWindowsRepository, WindowState } from './frequency-windows.repository';
import type { Channel } from './unsubscribe-token';

const MAX_CONFLICTS = 5;

/**
 * Global per-lead caps: at most EMAIL_DAILY_CAP_PER_LEAD emails and SMS_DAILY_CAP_PER_LEAD
 * texts in any 24 hours, across journeys. A slot is taken before the provider is called
 * and keyed by the delivery, so a retried send reuses its own slot.
 *
 * Concurrency: every write is a compare-and-set on the window's version. On MongoDB that
 * makes the cap exact across any number of workers. FerretDB 1.24 applies an update as an
 * unlocked read-then-write, so its compare-and-set can let two writers through; the lock
 * below makes the cap exact within one worker process, and only two worker processes
 * sending to the same lead within the same few milliseconds could exceed it there.
 */
@Injectable()
export class FrequencyCapsService {
  private readonly caps: Record<Channel, number>;
  private readonly lock = new KeyedLock();

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
    let admitted = false;
    return this.update(workspaceId, leadId, channel, now, (sends) => {
      const decision = admit(sends, key, now, this.caps[channel]);
      admitted = decision.admitted;
      return decision.admitted && decision.changed ? decision.entries : undefined;
    }).then(() => admitted);
  }

  /** Gives back the slot of a delivery that will not go out (the recipient opted out, or the send failed for good). */
  async release(workspaceId: string, leadId: string, channel: Channel, key: string, now: Date): Promise<void> {
    await this.update(workspaceId, leadId, channel, now, (sends) =>
      sends.some((entry) => entry.key === key) ? release(sends, key) : undefined,
    );
  }

  /** Applies `change` (undefined: nothing to write) as a compare-and-set, again on conflict. */
  private update(
    workspaceId: string,
    leadId: string,
    channel: Channel,
    now: Date,
    change: (sends: CapEntry[]) => CapEntry[] | undefined,
  ): Promise<void> {
    return this.lock.run([`${workspaceId}:${leadId}:${channel}`], async () => {
      for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
        const current: WindowState = await this.windows.read(workspaceId, leadId, channel);
        const next = change(current.sends);
        if (!next) return;
        if (await this.windows.write(workspaceId, leadId, channel, current, next, now)) return;
      }
      // Another worker kept winning; failing lets Temporal retry the activity later.
      throw new Error(`frequency window of lead ${leadId} (${channel}) kept changing; try again`);
    });
  }
}
