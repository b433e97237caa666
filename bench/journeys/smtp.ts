import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SMTPServer } from 'smtp-server';

/** One message as the sink accepted it. */
export interface Arrival {
  /** performance.now() when the message's last byte arrived, just before the server answered 250. */
  at: number;
  /** Size of the message as sent (headers and MIME body). */
  bytes: number;
}

/**
 * The SMTP server both paths deliver to, inside the bench process so that acceptance is
 * timestamped on the same clock as the requests that caused it. Keeps every acceptance per
 * recipient, so a missing or a second email is seen, and lets a caller await the first
 * one of an address.
 */
export class TimedSmtpSink {
  readonly arrivals = new Map<string, Arrival[]>();
  private readonly waiters = new Map<string, (arrival: Arrival) => void>();
  private server?: SMTPServer;
  private port = 0;

  async start(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      // Each connection would otherwise wait on a reverse DNS lookup of 127.0.0.1: a cost of
      // this sink, not of either path under test.
      disableReverseLookup: true,
      logger: false,
      onData: (stream, session, callback) => {
        let bytes = 0;
        stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
        stream.on('end', () => {
          const at = performance.now();
          for (const { address } of session.envelope.rcptTo) this.accept(address.toLowerCase(), { at, bytes });
          callback();
        });
      },
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    this.port = (server.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** The first message accepted for `address`, or a rejection after `timeoutMs`. */
  firstFor(address: string, timeoutMs: number): Promise<Arrival> {
    const key = address.toLowerCase();
    const earlier = this.arrivals.get(key)?.[0];
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        reject(new Error(`no email to ${address} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.waiters.set(key, (arrival) => {
        clearTimeout(timer);
        resolve(arrival);
      });
    });
  }

  /** How many messages each of `addresses` got: the ones with none, and with more than one. */
  tally(addresses: readonly string[]): { missing: string[]; repeated: string[] } {
    const count = (address: string) => this.arrivals.get(address.toLowerCase())?.length ?? 0;
    return {
      missing: addresses.filter((address) => count(address) === 0),
      repeated: addresses.filter((address) => count(address) > 1),
    };
  }

  get total(): number {
    let sum = 0;
    for (const list of this.arrivals.values()) sum += list.length;
    return sum;
  }

  close(): Promise<void> {
    const server = this.server;
    return server ? new Promise((resolve) => server.close(() => resolve())) : Promise.resolve();
  }

  private accept(address: string, arrival: Arrival): void {
    const list = this.arrivals.get(address) ?? [];
    list.push(arrival);
    this.arrivals.set(address, list);
    const waiter = this.waiters.get(address);
    if (waiter && list.length === 1) {
      this.waiters.delete(address);
      waiter(arrival);
    }
  }
}
