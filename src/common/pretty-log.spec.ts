import pino from 'pino';
import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { prettyMessage, prettyStream } from './pretty-log';

describe('prettyMessage', () => {
  it('shows a finished request as method, path, status and time', () => {
    const sut = prettyMessage({
      msg: 'request completed',
      req: { method: 'POST', url: '/v1/track' },
      res: { statusCode: 200 },
      responseTime: 3.4,
    });

    expect(sut).toBe('POST /v1/track 200 3ms');
  });

  it('shows any other record as its message, after the Nest context it came from', () => {
    expect(prettyMessage({ msg: 'Nest application successfully started', context: 'NestApplication' })).toBe(
      '[NestApplication] Nest application successfully started',
    );
    expect(prettyMessage({ msg: 'journey published', req: { method: 'POST', url: '/v1/journeys/x/publish' } })).toBe(
      'journey published',
    );
    expect(prettyMessage({ message: 'custom key' }, 'message')).toBe('custom key');
  });
});

describe('prettyStream', () => {
  it('writes one line per record: level, message, and only the fields not already shown', async () => {
    const output: string[] = [];
    const capture = new Writable({
      write: (chunk: Buffer, _encoding, done) => (output.push(chunk.toString()), done()),
    });
    const sut = pino({ base: { pid: 1, hostname: 'h' } }, await prettyStream(capture));

    sut.info(
      { req: { id: 1, method: 'GET', url: '/v1/leads/ada', headers: {} }, res: { statusCode: 404 }, responseTime: 12 },
      'request completed',
    );
    sut.warn({ context: 'TemporalWorker', taskQueue: 'nudge' }, 'worker draining');

    const lines = stripVTControlCharacters(output.join('')).split('\n').filter(Boolean);
    expect(lines).toEqual([
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/v1\/leads\/ada 404 12ms$/),
      expect.stringMatching(
        /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: \[TemporalWorker\] worker draining \{"taskQueue":"nudge"\}$/,
      ),
    ]);
  });
});
