import mongoose, { Connection } from 'mongoose';
import { randomBytes } from 'node:crypto';
import type { AssignAgentInput } from '../../workflows/contracts/journey-activities';
import type { AssignmentResult } from '../../workflows/contracts/journey-activities';
import { Contender, Job, startContenders } from '../support/contenders';
import { buildApp } from '../support/faults';

/**
 * Frequency caps and agent assignments are exact with several API and worker processes,
 * which is how production runs: no lock in any process can make them so, only the writes
 * themselves. Three processes, each with the real services compiled as `npm run build`
 * builds them and a database connection of its own, race on the same lead's cap and the
 * same workspace's agents, retrying some steps in the same process and some in another (as
 * Temporal does when a worker is slow or dies), and the database is checked for exact
 * counts afterwards.
 */
jest.setTimeout(240_000);

const PROCESSES = 3;
const EMAIL_CAP = 7;
// Like a worker's activity slots: several assignments in flight per process.
const ASSIGN_CONCURRENCY = 6;

type Reservation = { key: string; admitted: boolean };
type Assigned = AssignmentResult & { key: string };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = { _id: string } & Record<string, any>;

describe('exactness across processes (FerretDB, three processes)', () => {
  let build: Awaited<ReturnType<typeof buildApp>> | undefined;
  let stop: (() => Promise<void>) | undefined;
  let contenders: Contender[];
  let connection: Connection;
  let db: NonNullable<Connection['db']>;

  beforeAll(async () => {
    const uri = process.env.MONGODB_URI!;
    build = await buildApp();
    ({ contenders, stop } = await startContenders(build.dir, PROCESSES, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      MONGODB_URI: uri,
      EMAIL_DAILY_CAP_PER_LEAD: String(EMAIL_CAP),
      DEV_WORKSPACE_SEED: 'false',
    }));
    connection = await mongoose.createConnection(uri).asPromise();
    db = connection.db!;
  });

  afterAll(async () => {
    await stop?.();
    await db?.dropDatabase();
    await connection?.close();
    await build?.remove();
  });

  /** One job in every process, all started together; each process's results. */
  const everywhere = <R>(jobOf: (process: number) => Job): Promise<R[][]> =>
    Promise.all(contenders.map((contender, p) => contender.run<R>(jobOf(p))));
  const newWorkspace = () => `ws_${randomBytes(4).toString('hex')}`;

  describe('per-lead frequency cap', () => {
    it('admits exactly the cap for one lead, each delivery once, however its attempts are spread', async () => {
      const workspaceId = newWorkspace();
      const leadId = `lead_${randomBytes(12).toString('hex')}`;
      // Each process's own deliveries, three of them attempted twice there, and four that every
      // process attempts: one step's activity retried on other workers.
      const keysOf = (p: number) =>
        shuffled([
          ...range(8).map((i) => `p${p}-send-${i}`),
          ...range(3).map((i) => `p${p}-send-${i}`),
          ...range(4).map((i) => `everyone-send-${i}`),
        ]);

      const results = (
        await everywhere<Reservation>((p) => ({ kind: 'reserve', workspaceId, leadId, keys: keysOf(p) }))
      ).flat();

      const window = await db.collection<Doc>('frequency_windows').findOne({ _id: `${workspaceId}:${leadId}:email` });
      const counted = (window?.sends as Array<{ key: string }>).map((entry) => entry.key);
      expect(counted).toHaveLength(EMAIL_CAP);
      expect(new Set(counted).size).toBe(EMAIL_CAP);
      // One write per slot taken: no write was lost and none applied twice.
      expect(window?.version).toBe(EMAIL_CAP);
      const admitted = new Set(results.filter((result) => result.admitted).map((result) => result.key));
      expect([...admitted].sort()).toEqual([...counted].sort());
      // Every attempt of a delivery got the same answer, whichever process made it.
      for (const key of new Set(results.map((result) => result.key))) {
        const answers = new Set(results.filter((result) => result.key === key).map((result) => result.admitted));
        expect({ key, answers: [...answers] }).toEqual({ key, answers: [admitted.has(key)] });
      }
    });
  });

  describe('agent assignment', () => {
    const addAgents = (workspaceId: string, names: string[]) =>
      contenders[0].run({
        kind: 'createAgents',
        workspaceId,
        agents: names.map((name) => ({ name, email: `${name.toLowerCase()}@agents.test`, traits: {}, active: true })),
      });
    const addLeads = async (workspaceId: string, count: number) => {
      const ids = range(count).map(() => `lead_${randomBytes(12).toString('hex')}`);
      await db
        .collection<Doc>('leads')
        .insertMany(ids.map((_id) => ({ _id, workspaceId, traits: {}, tags: [], createdAt: new Date() })));
      return ids;
    };
    const stepsOf = (workspaceId: string, leadIds: string[], strategy: AssignAgentInput['strategy']) =>
      leadIds.map((leadId): AssignAgentInput => {
        const runId = `journey-j1-${leadId}-1`;
        return {
          key: `${runId}:assign`,
          workspaceId,
          leadId,
          journeyId: 'j1',
          version: 1,
          runId,
          stepId: 'assign',
          strategy,
        };
      });
    /**
     * Step i runs in process i mod 3; every 4th runs twice there at once, and every 3rd once
     * more in the next process: attempts of one step racing in one process and across two.
     */
    const attemptsIn = (p: number, steps: AssignAgentInput[]) =>
      shuffled(
        steps.flatMap((step, i) => [
          ...(i % PROCESSES === p ? (i % 4 === 0 ? [step, step] : [step]) : []),
          ...(i % 3 === 0 && (i + 1) % PROCESSES === p ? [step] : []),
        ]),
      );
    const assignEverywhere = (steps: AssignAgentInput[]) =>
      everywhere<Assigned>((p) => ({ kind: 'assign', steps: attemptsIn(p, steps), concurrency: ASSIGN_CONCURRENCY }));

    /**
     * The database agrees with itself and with every answer: one assignment per step (so per
     * lead), every attempt of a step answered with its agent, and each agent counting exactly
     * its open assignments, by id.
     */
    async function expectExact(workspaceId: string, steps: AssignAgentInput[], answers: Assigned[]) {
      const assignments = await db.collection<Doc>('assignments').find({ workspaceId }).toArray();
      const byKey = new Map(assignments.map((doc) => [unscoped(workspaceId, doc._id), doc]));
      expect(assignments).toHaveLength(steps.length);
      expect(new Set(assignments.map((doc) => doc.leadId)).size).toBe(steps.length);
      expect([...byKey.keys()].sort()).toEqual(steps.map((step) => step.key).sort());
      expect(assignments.filter((doc) => !doc.applied || !doc.agentId)).toEqual([]);
      for (const answer of answers) {
        expect({ key: answer.key, agentId: answer.agentId }).toEqual({
          key: answer.key,
          agentId: byKey.get(answer.key)?.agentId,
        });
      }

      const agents = await db.collection<Doc>('agents').find({ workspaceId }).toArray();
      const open = assignments.filter((doc) => doc.status === 'open');
      for (const agent of agents) {
        const its = open.filter((doc) => doc.agentId === agent._id).map((doc) => unscoped(workspaceId, doc._id));
        expect({
          agent: agent.name,
          open: agent.openAssignments,
          ids: [...(agent.openAssignmentIds ?? [])].sort(),
        }).toEqual({ agent: agent.name, open: its.length, ids: its.sort() });
      }
      expect(sum(agents.map((agent) => agent.openAssignments))).toBe(open.length);

      const leads = await db
        .collection<Doc>('leads')
        .find({ workspaceId }, { projection: { traits: 1 } })
        .toArray();
      const agentOfLead = new Map(assignments.map((doc) => [doc.leadId, doc.agentId]));
      for (const lead of leads) expect(lead.traits.assignedAgentId).toBe(agentOfLead.get(lead._id));
      return agents;
    }

    it('round robin: every lead assigned once, every count exact, and the turns even', async () => {
      const workspaceId = newWorkspace();
      await addAgents(workspaceId, ['Avery', 'Blake', 'Casey', 'Drew']);
      const steps = stepsOf(workspaceId, await addLeads(workspaceId, 42), 'round_robin');

      const answers = (await assignEverywhere(steps)).flat();

      const agents = await expectExact(workspaceId, steps, answers);
      const counts = agents.map((agent) => agent.openAssignments as number);
      expect(sum(counts)).toBe(42);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    });

    it('least loaded, then closes racing new assignments: each close counted off once, counts exact', async () => {
      const workspaceId = newWorkspace();
      await addAgents(workspaceId, ['Avery', 'Blake', 'Casey']);
      const first = stepsOf(workspaceId, await addLeads(workspaceId, 30), 'least_loaded');

      const firstAnswers = (await assignEverywhere(first)).flat();

      const loads = (await expectExact(workspaceId, first, firstAnswers)).map((agent) => agent.openAssignments);
      expect(loads).toEqual([10, 10, 10]);

      // Every process closes the same half of them (each close raced by two others) while
      // all of them assign thirty more leads.
      const toClose = first.filter((_, i) => i % 2 === 0).map((step) => step.key);
      const second = stepsOf(workspaceId, await addLeads(workspaceId, 30), 'least_loaded');
      const [closes, secondAnswers] = await Promise.all([
        everywhere<string>(() => ({ kind: 'close', workspaceId, ids: shuffled(toClose), concurrency: 5 })),
        assignEverywhere(second),
      ]);

      expect(new Set(closes.flat())).toEqual(new Set(['closed']));
      await expectExact(workspaceId, [...first, ...second], [...firstAnswers, ...secondAnswers.flat()]);
      const closed = await db.collection<Doc>('assignments').countDocuments({ workspaceId, status: 'closed' });
      expect(closed).toBe(toClose.length);
    });
  });
});

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const unscoped = (workspaceId: string, id: string) => id.slice(workspaceId.length + 1);

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
