import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mongo } from 'mongoose';
import { AppError } from './app-error';
import { CommonErrorCode } from './error-codes';
import { bodyLimitFor, MAX_BODY_BYTES } from './limits';

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * Every error a request can end in, answered in one shape, `{ statusCode, error, message,
 * details? }`: Nudge's own (AppError), Fastify's request errors (reworded to say what to
 * fix), the database being unreachable (503 with Retry-After, so SDKs retry and dedupe makes
 * that safe), and anything else as a logged 500 that shows no internals.
 */
@Catch()
export class ErrorResponseFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    if (error instanceof AppError) {
      void reply.status(error.status).send(body(error.status, error.code, error.message, error.details));
    } else if (error instanceof HttpException) {
      const status = error.getStatus() as HttpStatus;
      const described = describeHttpError(status, error.message, http.getRequest<FastifyRequest>());
      // Others' exceptions with a body of their own (terminus's health report) keep it.
      void reply.status(status).send(described ? body(status, described.code, described.message) : error.getResponse());
    } else if (error instanceof mongo.MongoError && isUnreachable(error)) {
      const status = HttpStatus.SERVICE_UNAVAILABLE;
      void reply
        .status(status)
        .header('Retry-After', '5')
        .send(body(status, CommonErrorCode.DatabaseUnavailable, 'the database is unreachable; retry shortly'));
    } else {
      this.logger.error({ err: error }, error instanceof mongo.MongoError ? 'database error' : 'unhandled error');
      const status = HttpStatus.INTERNAL_SERVER_ERROR;
      void reply.status(status).send(body(status, CommonErrorCode.Internal, 'internal error'));
    }
  }
}

const body = (statusCode: number, error: string, message: string, details?: Record<string, unknown>): ErrorBody => ({
  statusCode,
  error,
  message,
  ...(details && { details }),
});

/** Fastify's wording, replaced by what the client should fix. */
function describeHttpError(
  status: HttpStatus,
  message: string,
  request: FastifyRequest,
): { code: CommonErrorCode; message: string } | undefined {
  switch (status) {
    case HttpStatus.PAYLOAD_TOO_LARGE: {
      const limit = bodyLimitFor(request.headers['content-type'], MAX_BODY_BYTES);
      return {
        code: CommonErrorCode.PayloadTooLarge,
        message: `body: larger than the ${Math.round(limit / 1024)} KB (${limit} bytes) limit per request`,
      };
    }
    case HttpStatus.UNSUPPORTED_MEDIA_TYPE:
      return {
        code: CommonErrorCode.UnsupportedMediaType,
        message: 'Content-Type: send application/json or text/plain',
      };
    case HttpStatus.NOT_FOUND:
      return {
        code: CommonErrorCode.RouteNotFound,
        message: `no route ${request.method} ${request.url.split('?')[0]}`,
      };
    case HttpStatus.BAD_REQUEST:
      if (/JSON|body/i.test(message))
        return { code: CommonErrorCode.MalformedJson, message: `body: is not valid JSON (${message})` };
      return undefined;
    default:
      return undefined;
  }
}

/** Unreachable, directly or underneath (a bulk write wraps the server-selection error). */
function isUnreachable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  if (error instanceof mongo.MongoNetworkError || error instanceof mongo.MongoServerSelectionError) return true;
  const wrapped = error as Error & { errorResponse?: unknown };
  return isUnreachable(wrapped.cause, depth + 1) || isUnreachable(wrapped.errorResponse, depth + 1);
}
