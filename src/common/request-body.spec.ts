import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { deflateSync, gzipSync } from 'node:zlib';
import { AppError } from './app-error';
import { contentCodingOf, DecodedBody } from './request-body';

const LIMIT = 500 * 1024;

/** A request body arriving in 1 KB chunks, counting how much of it was read. */
function requestOf(body: Buffer) {
  const source = { read: 0 };
  const stream = Readable.from(
    (function* () {
      for (let offset = 0; offset < body.length; offset += 1024) {
        const chunk = body.subarray(offset, offset + 1024);
        source.read += chunk.length;
        yield chunk;
      }
    })(),
  );
  return { stream, source };
}

async function readAll(body: DecodedBody): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('contentCodingOf', () => {
  it.each([
    [undefined, undefined],
    ['identity', undefined],
    ['gzip', 'gzip'],
    ['GZip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['deflate', 'deflate'],
    ['gzip, identity', 'gzip'],
  ])('reads %p as %p', (header, coding) => {
    expect(contentCodingOf(header)).toBe(coding);
  });

  it.each(['br', 'zstd', 'compress', 'gzip, deflate', 'not-a-coding'])('refuses %p with 415', (header) => {
    const sut = () => contentCodingOf(header);

    expect(sut).toThrow(AppError);
    expect(sut).toThrow(expect.objectContaining({ status: 415, code: 'UNSUPPORTED_CONTENT_ENCODING' }) as Error);
    expect(sut).toThrow(new RegExp(`^Content-Encoding: "${header}" is not accepted; send gzip or deflate`));
  });
});

describe('DecodedBody', () => {
  const json = Buffer.from(JSON.stringify({ batch: [{ event: 'form_start', userId: 'ada' }] }));

  it.each([
    ['gzip', gzipSync(json)],
    ['deflate', deflateSync(json)],
  ] as const)('decodes %s and counts the encoded bytes it read', async (coding, encoded) => {
    const sut = new DecodedBody(requestOf(encoded).stream, coding, LIMIT);

    expect(await readAll(sut)).toEqual(json);
    expect(sut.receivedEncodedLength).toBe(encoded.length);
  });

  it('stops inflating a compression bomb as soon as the decoded body passes the limit', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024)); // 50 MB of zeros, ~50 KB
    const { stream, source } = requestOf(bomb);
    const sut = new DecodedBody(stream, 'gzip', LIMIT);

    await expect(readAll(sut)).rejects.toMatchObject({
      status: 413,
      message: 'body: larger than the 500 KB (512000 bytes) limit per request once decompressed',
    });
    // 500 KB of zeros is about 500 bytes of gzip: a few KB reached the decoder, the rest of
    // the request was read (so the connection stays usable) and dropped without inflating.
    expect(sut.receivedEncodedLength).toBeLessThan(20 * 1024);
    // Draining the rest takes as many ticks as the machine needs: wait for the source's end.
    await new Promise((resolve) => (stream.readableEnded ? resolve(undefined) : stream.once('end', resolve)));
    expect(source.read).toBe(bomb.length);
  });

  it('limits the compressed body too', async () => {
    const incompressible = gzipSync(randomBytes(LIMIT + 10_000));

    await expect(readAll(new DecodedBody(requestOf(incompressible).stream, 'gzip', LIMIT))).rejects.toMatchObject({
      status: 413,
      message: 'body: larger than the 500 KB (512000 bytes) limit per request',
    });
  });

  it.each([
    ['not gzip at all', Buffer.from('{"event":"x"}')],
    ['cut short', gzipSync(json).subarray(0, 20)],
  ])('refuses a gzip body that is %s with 400', async (_case, body) => {
    await expect(readAll(new DecodedBody(requestOf(body).stream, 'gzip', LIMIT))).rejects.toMatchObject({
      status: 400,
      code: 'MALFORMED_BODY',
      message: expect.stringMatching(/^body: is not valid gzip data, as its Content-Encoding says \(.+\)$/) as string,
    });
  });

  it('reads nothing until it is read', async () => {
    const { stream, source } = requestOf(gzipSync(json));
    new DecodedBody(stream, 'gzip', LIMIT);

    await new Promise((resolve) => setImmediate(resolve));
    expect(source.read).toBe(0);
  });
});
