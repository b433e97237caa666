import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AppError } from './app-error';

/** Renders an {@link AppError} as `{ statusCode, error, message, details? }`. */
@Catch(AppError)
export class AppErrorFilter implements ExceptionFilter<AppError> {
  catch(error: AppError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(error.status).send({
      statusCode: error.status,
      error: error.code,
      message: error.message,
      ...(error.details && { details: error.details }),
    });
  }
}
