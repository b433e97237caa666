import { ApplicationFailure } from '@temporalio/common';
import type {
  JourneyActivities,
  SendEmailInput,
  SendResult,
  SendSmsInput,
} from '../workflows/contracts/journey-activities';

/**
 * What the messaging activities need from the app; the worker hands in MessagingService.
 * It throws an error with `permanent: true` (and a `code`) for what no retry can fix: a
 * missing template, a recipient the provider refuses for good.
 */
export interface MessageSender {
  sendEmail(input: SendEmailInput): Promise<SendResult>;
  sendSms(input: SendSmsInput): Promise<SendResult>;
}

export interface MessagingDeps {
  messaging: MessageSender;
}

export function createMessagingActivities({ messaging }: MessagingDeps) {
  return {
    /** Sends a journey email at most once per step key; skips opted-out, address-less and capped leads. */
    async sendEmail(input: SendEmailInput): Promise<SendResult> {
      return finalOnPermanent(() => messaging.sendEmail(input));
    },
    /** Texts a journey SMS at most once per step key; skips opted-out, number-less and capped leads. */
    async sendSms(input: SendSmsInput): Promise<SendResult> {
      return finalOnPermanent(() => messaging.sendSms(input));
    },
  } satisfies Pick<JourneyActivities, 'sendEmail' | 'sendSms'>;
}

/** A permanent error fails the activity without retries; anything else is left to the retry policy. */
async function finalOnPermanent<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (isPermanent(error)) throw ApplicationFailure.nonRetryable(error.message, error.code);
    throw error;
  }
}

function isPermanent(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error &&
    (error as { permanent?: unknown }).permanent === true &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}
