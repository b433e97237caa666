import { ArgumentsHost, HttpException, HttpStatus, Logger, PayloadTooLargeException } from '@nestjs/common';
import { mongo } from 'mongoose';
import { AppError } from './app-error';
import { ErrorResponseFilter } from './error-response.filter';

/** What the filter sent: status, headers and body, through a stand-in for Fastify's reply. */
function render(error: unknown, headers: Record<string, string> = {}) {
  const sent: { status?: number; headers: Record<string, string>; body?: unknown } = { headers: {} };
  const reply = {
    status: (code: number) => ((sent.status = code), reply),
    header: (name: string, value: string) => ((sent.headers[name] = value), reply),
    send: (body: unknown) => ((sent.body = body), reply),
  };
  const host = {
    switchToHttp: () => ({
      getResponse: () => reply,
      getRequest: () => ({ method: 'GET', url: '/v1/nothing?x=1', headers }),
    }),
  } as unknown as ArgumentsHost;
  new ErrorResponseFilter().catch(error, host);
  return sent;
}

describe('ErrorResponseFilter', () => {
  it('renders an AppError with its code, status, message and details', () => {
    const error = new AppError('LEAD_NOT_FOUND', HttpStatus.NOT_FOUND, 'no lead "x"', { id: 'x' });

    expect(render(error)).toEqual({
      status: 404,
      headers: {},
      body: { statusCode: 404, error: 'LEAD_NOT_FOUND', message: 'no lead "x"', details: { id: 'x' } },
    });
  });

  it("rewords Fastify's errors to say what to fix", () => {
    expect(render(new PayloadTooLargeException()).body).toMatchObject({
      statusCode: 413,
      error: 'PAYLOAD_TOO_LARGE',
      message: 'body: larger than the 500 KB (512000 bytes) limit per request',
    });
    expect(render(new PayloadTooLargeException(), { 'content-type': 'text/csv' }).body).toMatchObject({
      message: 'body: larger than the 8192 KB (8388608 bytes) limit per request',
    });
    expect(render(new HttpException('Cannot GET', HttpStatus.NOT_FOUND)).body).toEqual({
      statusCode: 404,
      error: 'NOT_FOUND',
      message: 'no route GET /v1/nothing',
    });
  });

  it('keeps the body of an HTTP exception it has no wording for (the health report)', () => {
    const report = { status: 'error', info: {}, error: { temporal: { status: 'down' } } };

    expect(render(new HttpException(report, HttpStatus.SERVICE_UNAVAILABLE))).toEqual({
      status: 503,
      headers: {},
      body: report,
    });
  });

  it('answers 503 with Retry-After when the database is unreachable, even wrapped in a bulk write error', () => {
    const unreachable = new mongo.MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017');
    const wrapped = Object.assign(new mongo.MongoError('bulk write failed'), { cause: unreachable });

    for (const error of [unreachable, wrapped])
      expect(render(error)).toEqual({
        status: 503,
        headers: { 'Retry-After': '5' },
        body: { statusCode: 503, error: 'DATABASE_UNAVAILABLE', message: 'the database is unreachable; retry shortly' },
      });
  });

  it('answers any other error 500 without showing its internals, and logs it', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const errors = [new mongo.MongoError('E11000 on leads'), new TypeError('x is undefined'), 'a string'];

    for (const error of errors)
      expect(render(error)).toEqual({
        status: 500,
        headers: {},
        body: { statusCode: 500, error: 'INTERNAL_ERROR', message: 'internal error' },
      });
    expect(logged.mock.calls.map(([entry]) => (entry as { err: unknown }).err)).toEqual(errors);
    logged.mockRestore();
  });
});
