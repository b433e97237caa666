import { cancellationSignal } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CallWebhookInput, JourneyActivities } from '../workflows/contracts/journey-activities';

export interface WebhookDeps {
  /** How long one call may take; 10 s unless a test wants it shorter. */
  webhookTimeoutMs?: number;
}

/** Statuses that say "try again later"; any other 4xx says the request itself is wrong. */
const RETRYABLE_STATUSES = new Set([408, 429]);
/** A Retry-After longer than this is capped, so one endpoint cannot park a run for days. */
const MAX_RETRY_AFTER_MS = 60 * 60_000;

export function createWebhookActivities({ webhookTimeoutMs = 10_000 }: WebhookDeps = {}) {
  return {
    /**
     * Posts the step's body, with the lead, journey, run and step ids, to the URL. The
     * step key goes as `Idempotency-Key` on every attempt, so the receiver can drop repeats.
     */
    async callWebhook(input: CallWebhookInput): Promise<{ status: number }> {
      const { url, method, body, key, leadId, journeyId, runId, stepId } = input;
      const cancelled = cancellationSignal();
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key, 'User-Agent': 'Nudge' },
          body: JSON.stringify({ ...body, leadId, journeyId, runId, stepId }),
          // A 301/302 would turn the POST into a body-less GET; the endpoint should be fixed instead.
          redirect: 'manual',
          signal: AbortSignal.any([AbortSignal.timeout(webhookTimeoutMs), cancelled]),
        });
      } catch (error) {
        if (cancelled.aborted) throw error;
        throw ApplicationFailure.retryable(`${method} ${url} failed: ${describe(error)}`, 'WebhookUnreachable');
      }
      const text = await response.text().catch(() => '');
      const { status } = response;
      if (status >= 200 && status < 300) return { status };

      const message = `${method} ${url} answered ${status}${text ? `: ${text.slice(0, 300)}` : ''}`;
      if (RETRYABLE_STATUSES.has(status) || status >= 500) {
        const nextRetryDelay = retryAfterMs(response.headers.get('retry-after'));
        throw ApplicationFailure.create({
          message,
          type: 'WebhookRetryableStatus',
          ...(nextRetryDelay !== undefined && { nextRetryDelay }),
        });
      }
      throw ApplicationFailure.nonRetryable(message, 'WebhookRejected');
    },
  } satisfies Pick<JourneyActivities, 'callWebhook'>;
}

/**
 * `fetch failed (ECONNREFUSED)`: undici puts the reason in `cause`. Duck-typed, because
 * fetch's errors come from another realm under jest and fail `instanceof Error`.
 */
function describe(error: unknown): string {
  const { message, cause } = (error ?? {}) as { message?: string; cause?: { code?: string; message?: string } };
  const reason = cause?.code ?? cause?.message;
  return `${message ?? String(error)}${reason ? ` (${reason})` : ''}`;
}

/** Retry-After in seconds (the HTTP-date form is rare for webhooks and left to the retry policy). */
function retryAfterMs(header: string | null): number | undefined {
  if (!header || !/^\d+$/.test(header.trim())) return undefined;
  return Math.min(Number(header.trim()) * 1000, MAX_RETRY_AFTER_MS);
}
