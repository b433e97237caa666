import { parseArgs } from 'node:util';
import { startTwilioSink } from './server';

const USAGE =
  'usage: tsx tools/twilio-sink/main.ts [--port 4010] [--host 127.0.0.1] --auth-token TOKEN [--account-sid AC...]\n' +
  '                                     [--inbound-webhook URL]\n' +
  '  --auth-token defaults to $TWILIO_AUTH_TOKEN\n' +
  "  --inbound-webhook: where to forward texts posted to /sink/inbound, signed like Twilio's\n" +
  '                     (Nudge: <PUBLIC_URL>/v1/sms/inbound)';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      'auth-token': { type: 'string' },
      'account-sid': { type: 'string' },
      'inbound-webhook': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a port: ${values.port}`);
  const authToken = values['auth-token'] ?? process.env.TWILIO_AUTH_TOKEN;
  if (!authToken) throw new Error('--auth-token is required (or set TWILIO_AUTH_TOKEN)');
  const inboundWebhook = values['inbound-webhook'];
  if (inboundWebhook && !URL.canParse(inboundWebhook))
    throw new Error(`--inbound-webhook: not a URL: ${inboundWebhook}`);

  const sink = await startTwilioSink({
    port,
    host: values.host,
    authToken,
    accountSid: values['account-sid'],
    inboundWebhook,
    // stderr, so stdout stays the one "listening" line that scripts wait for.
    warn: (message) => console.error(`twilio-sink: ${message}`),
  });
  console.log(`twilio-sink listening on ${sink.url}`);

  const stop = () => {
    sink.close().catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`twilio-sink: ${(error as Error).message}\n${USAGE}`);
  process.exitCode = 1;
});
