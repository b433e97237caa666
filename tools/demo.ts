import { randomUUID } from 'node:crypto';
import { validateEnv } from '../src/config/env.schema';
import { stackPorts } from './stack/ports';

/**
 * `npm run demo` (with `npm run dev` running): a visitor opens the quote form, gives an
 * email, and abandons it at 60 %. The seeded Form Abandonment Recovery journey takes it
 * from there; this follows the run step by step and says where to watch it. Exits 0 once
 * the email is in the mail catcher and an agent is assigned.
 */
const ports = stackPorts();
const api = `http://127.0.0.1:${ports['Nudge API']}`;
const mailUi = `http://127.0.0.1:${ports['MailDev UI']}`;
const temporalUi = `http://127.0.0.1:${ports['Temporal UI']}`;
const { DEV_WRITE_KEY: writeKey, DEV_SECRET_KEY: secretKey } = validateEnv(process.env);
const journeyId = 'form-abandonment-recovery';
const timeoutMs = Number(process.env.DEMO_TIMEOUT_SECONDS ?? 600) * 1000;
const say = (line: string) => console.log(line);

interface StepLog {
  stepId: string;
  type: string;
  result: string;
  at: string;
}
interface Run {
  runId: string;
  status: string;
  steps: StepLog[];
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const auth = method === 'POST' ? `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` : `Bearer ${secretKey}`;
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: auth, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

async function main(): Promise<number> {
  const anonymousId = `anon-${randomUUID()}`;
  const userId = `demo-${randomUUID().slice(0, 8)}`;
  const email = `${userId}@example.com`;
  const context = { page: { url: 'https://insure.example/quote', title: 'Get a quote' } };
  say(`A visitor opens the quote form, types ${email}, and leaves at 60 %…`);
  await call('POST', '/v1/batch', {
    batch: [
      { type: 'page', anonymousId, name: 'Get a quote', context },
      { type: 'track', anonymousId, event: 'form_start', properties: { formId: 'quote' }, context },
      { type: 'identify', anonymousId, userId, traits: { email, firstName: 'Ada', region: 'north' } },
      {
        type: 'track',
        userId,
        anonymousId,
        event: 'form_abandon',
        properties: { formId: 'quote', formCompletion: 60, lastField: 'vehicle' },
        context,
      },
    ],
  });
  const lead = await call<{ id: string }>('GET', `/v1/leads/${userId}`);
  const query = encodeURIComponent(`LeadId="${lead.id}"`);
  say(`
Lead ${lead.id} entered "${journeyId}". Watch it:
  Temporal UI   ${temporalUi}/namespaces/default/workflows?query=${query}
  Mail UI       ${mailUi}
  Run log       curl -H 'Authorization: Bearer ${secretKey}' '${api}/v1/journeys/${journeyId}/executions?leadId=${userId}'
  Assignment    curl -H 'Authorization: Bearer ${secretKey}' '${api}/v1/assignments?leadId=${userId}'
`);

  const seen = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { executions: runs } = await call<{ executions: Run[] }>(
      'GET',
      `/v1/journeys/${journeyId}/executions?leadId=${userId}`,
    );
    const run = runs[0];
    for (const step of run?.steps ?? []) {
      if (seen.has(step.stepId)) continue;
      seen.add(step.stepId);
      say(`  ${new Date(step.at).toLocaleTimeString()}  ${step.stepId} (${step.type}): ${step.result}`);
    }
    if (run && run.status !== 'running') return finish(run, userId, email);
    await new Promise((r) => setTimeout(r, 1000));
  }
  say(`The run did not finish within ${timeoutMs / 1000} s (is the worker running? JOURNEY_WAIT_SCALE?).`);
  return 1;
}

async function finish(run: Run, userId: string, email: string): Promise<number> {
  // MailDev 3's REST API.
  const inbox = await fetch(`${mailUi}/api/email`);
  const mails = (await inbox.json()) as { subject: string; to: { address: string }[] }[];
  const mail = mails.find((m) => m.to.some((to) => to.address === email));
  const { assignments } = await call<{ assignments: { agentId: string; agentName?: string }[] }>(
    'GET',
    `/v1/assignments?leadId=${userId}`,
  );
  say(`
Run ${run.runId} ${run.status}.
  Email         ${mail ? `"${mail.subject}" to ${email} — open ${mailUi}` : 'not found in the mail catcher'}
  Agent         ${assignments[0] ? `${assignments[0].agentName ?? assignments[0].agentId}` : 'none assigned'}
`);
  return run.status === 'completed' && mail && assignments.length ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`demo failed: ${error.message}\n(Is \`npm run dev\` running?)`);
    process.exit(1);
  },
);
