import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { mongo } from 'mongoose';

/**
 * The database being briefly down is not the client's fault nor a bug: answer 503 with
 * Retry-After, so SDKs (which retry 5xx and 429) send the batch again; dedupe makes that safe.
 */
@Catch(mongo.MongoNetworkError, mongo.MongoServerSelectionError, mongo.MongoNetworkTimeoutError)
export class DatabaseUnavailableFilter implements ExceptionFilter {
  catch(_: Error, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(HttpStatus.SERVICE_UNAVAILABLE).header('Retry-After', '5').send({
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      error: 'DATABASE_UNAVAILABLE',
      message: 'the database is unreachable; retry shortly',
    });
  }
}
