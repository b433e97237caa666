import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { mongo } from 'mongoose';

/**
 * The database being briefly down is not the client's fault nor a bug: answer 503 with
 * Retry-After, so SDKs (which retry 5xx and 429) send the batch again; dedupe makes that
 * safe. Other database errors are bugs: logged, and answered 500 without internals.
 */
@Catch(mongo.MongoError)
export class DatabaseUnavailableFilter implements ExceptionFilter<mongo.MongoError> {
  private readonly logger = new Logger('Database');

  catch(error: mongo.MongoError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (!isUnreachable(error)) {
      this.logger.error({ err: error }, 'database error');
      void reply.status(500).send({ statusCode: 500, error: 'INTERNAL_ERROR', message: 'internal error' });
      return;
    }
    void reply.status(HttpStatus.SERVICE_UNAVAILABLE).header('Retry-After', '5').send({
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      error: 'DATABASE_UNAVAILABLE',
      message: 'the database is unreachable; retry shortly',
    });
  }
}

/** Unreachable, directly or underneath (a bulk write wraps the server-selection error). */
function isUnreachable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  if (error instanceof mongo.MongoNetworkError || error instanceof mongo.MongoServerSelectionError) return true;
  const wrapped = error as Error & { errorResponse?: unknown };
  return isUnreachable(wrapped.cause, depth + 1) || isUnreachable(wrapped.errorResponse, depth + 1);
}
