import { ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { AppError } from '../common/app-error';
import { EventErrorCode } from './event-errors';

/**
 * Rate limit per write key (per source), not per IP: one site's burst must not starve
 * another's, and many browsers share an IP behind a NAT. Runs after WriteKeyGuard.
 * The throttler sets Retry-After on the 429.
 */
@Injectable()
export class IngestThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    const workspace = request.workspace as { sourceId?: string } | undefined;
    return Promise.resolve(workspace?.sourceId ?? String(request.ip));
  }

  protected override throwThrottlingException(_: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new AppError(
      EventErrorCode.RateLimited,
      HttpStatus.TOO_MANY_REQUESTS,
      `this write key sent more than ${detail.limit} requests in ${detail.ttl / 1000} s; retry after ${detail.timeToBlockExpire} s`,
    );
  }
}
