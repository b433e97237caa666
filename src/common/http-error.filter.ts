import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MAX_BODY_BYTES } from './limits';

/**
 * Renders Fastify's request errors (a body too large or not JSON, an unknown route) in
 * the same `{ statusCode, error, message }` shape as ours, with messages that say what to
 * fix rather than Fastify's internal wording. Other HTTP exceptions keep their own body.
 */
@Catch(HttpException)
export class HttpErrorFilter implements ExceptionFilter<HttpException> {
  catch(exception: HttpException, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const status = exception.getStatus() as HttpStatus;
    const described = describe(status, exception.message, request);
    // Others' exceptions with a body of their own (terminus's health report) keep it.
    const body = described
      ? { statusCode: status, error: described.code, message: described.message }
      : exception.getResponse();
    void http.getResponse<FastifyReply>().status(status).send(body);
  }
}

function describe(
  status: HttpStatus,
  message: string,
  request: FastifyRequest,
): { code: string; message: string } | undefined {
  switch (status) {
    case HttpStatus.PAYLOAD_TOO_LARGE:
      return {
        code: 'PAYLOAD_TOO_LARGE',
        message: `body: larger than the 500 KB (${MAX_BODY_BYTES} bytes) limit per request`,
      };
    case HttpStatus.UNSUPPORTED_MEDIA_TYPE:
      return { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Content-Type: send application/json or text/plain' };
    case HttpStatus.NOT_FOUND:
      return { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` };
    case HttpStatus.BAD_REQUEST:
      if (/JSON|body/i.test(message))
        return { code: 'MALFORMED_JSON', message: `body: is not valid JSON (${message})` };
      return undefined;
    default:
      return undefined;
  }
}
