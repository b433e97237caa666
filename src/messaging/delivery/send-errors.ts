import { HttpStatus } from '@nestjs/common';
import twilio from 'twilio';
import { AppError } from '../../common/app-error';
import { MessagingErrorCode } from '../messaging-errors';

/**
 * A provider refused a message for a reason no retry fixes (a 5xx SMTP reply, an invalid
 * number): the messaging activities fail the step at once instead of retrying for hours.
 */
export class PermanentSendError extends AppError {
  /** Read by the messaging activities, which turn it into a non-retryable failure. */
  readonly permanent = true;

  constructor(code: MessagingErrorCode, message: string) {
    super(code, HttpStatus.BAD_GATEWAY, message);
  }
}

/**
 * The error to throw for a failed provider call: permanent for an SMTP 5xx (RFC 5321: do
 * not repeat the same command) and for a Twilio 400 (a malformed or unroutable request);
 * otherwise the original, which Temporal retries (connection failures, SMTP 4xx, Twilio
 * 401/429/5xx, which ops or time can fix).
 */
export function classifySendError(error: unknown): Error {
  const cause = error instanceof Error ? error : new Error(String(error));
  const smtpCode = (cause as { responseCode?: unknown }).responseCode;
  if (typeof smtpCode === 'number' && smtpCode >= 500 && smtpCode < 600) {
    return new PermanentSendError(MessagingErrorCode.SmtpRejected, `SMTP ${smtpCode}: ${cause.message}`);
  }
  if (cause instanceof twilio.RestException && cause.status === 400) {
    return new PermanentSendError(MessagingErrorCode.TwilioRejected, `Twilio ${cause.code}: ${cause.message}`);
  }
  return cause;
}
