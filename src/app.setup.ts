import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { Logger } from 'nestjs-pino';
import { MAX_BODY_BYTES, MAX_CSV_BYTES } from './common/limits';
import { ErrorResponseFilter } from './common/error-response.filter';
import { acceptCompressedBodies, readFormBodiesAsJson } from './common/request-body';

/** The HTTP adapter main.ts and the e2e tests both build the API on. */
export function createAdapter(): FastifyAdapter {
  return new FastifyAdapter({ bodyLimit: MAX_BODY_BYTES });
}

/** Everything main.ts applies to the API, shared with e2e tests so they test the same app. */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new ErrorResponseFilter());
  app.enableShutdownHooks();
  // Browsers post events from any site that embeds the tracker; the write key is public anyway.
  app.enableCors({
    origin: true,
    methods: ['GET', 'POST'],
    allowedHeaders: ['Content-Type', 'Content-Encoding', 'Authorization'],
    maxAge: 86_400,
  });
  const fastify = app.getHttpAdapter().getInstance();
  parseTextAsJson(fastify);
  acceptMultipartAsText(fastify);
  acceptCsvAsText(fastify);
  readFormBodiesAsJson(fastify);
  acceptCompressedBodies(fastify);

  const openApi = new DocumentBuilder()
    .setTitle('Nudge API')
    .setDescription('Event tracking, lead profiles, journeys, segments and experiments')
    .setVersion('0.1.0')
    .addBasicAuth(
      { type: 'http', scheme: 'basic', description: 'The write key as the user name, no password' },
      'writeKey',
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The workspace secret API key' })
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi), {
    jsonDocumentUrl: 'docs/openapi.json',
  });
  return app;
}

/**
 * analytics.js posts JSON as `text/plain` (no CORS preflight), so text bodies are parsed
 * as JSON too, with the same prototype-poisoning guard as `application/json`.
 */
function parseTextAsJson(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('text/plain', { parseAs: 'string' }, fastify.getDefaultJsonParser('error', 'error'));
}

/**
 * RFC 8058 lets a mail client send the one-click unsubscribe POST as multipart/form-data;
 * the route reads only the token in its URL, so the body is kept as text, never parsed.
 */
function acceptMultipartAsText(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'string', bodyLimit: 16_384 },
    (_request, body, done) => done(null, body),
  );
}

/** A segment's import reads a CSV file of lead ids; it is kept as text, for the route to parse. */
function acceptCsvAsText(fastify: FastifyInstance): void {
  fastify.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: MAX_CSV_BYTES }, (_request, body, done) =>
    done(null, body),
  );
}
