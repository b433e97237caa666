import { INestApplicationContext } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { Test } from '@nestjs/testing';
import { Connection } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { createAgentsActivities } from '../../activities/agents.activities';
import { AgentsModule } from '../../src/agents/agents.module';
import { AgentsService, NewAgent } from '../../src/agents/agents.service';
import { AssignmentsService } from '../../src/agents/assignments.service';
import { TasksService } from '../../src/agents/tasks.service';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { LeadsService } from '../../src/leads/leads.service';

describe('assign_agent and create_task activities on the real services (FerretDB)', () => {
  let app: INestApplicationContext;
  let db: Connection['db'];
  let agents: AgentsService;
  let sut: ReturnType<typeof createAgentsActivities>;
  let workspaceId: string;
  let steps = 0;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule, DatabaseModule, AgentsModule],
    }).compile();
    app = await moduleRef.init();
    db = app.get<Connection>(getConnectionToken()).db;
    agents = app.get(AgentsService);
    sut = createAgentsActivities({ assignments: app.get(AssignmentsService), tasks: app.get(TasksService) });
  });

  afterAll(async () => {
    await db!.dropDatabase();
    await app.close();
  });

  // Each test in a workspace of its own, so agents and counters never leak between tests.
  beforeEach(() => {
    workspaceId = `ws_${randomBytes(4).toString('hex')}`;
  });

  const addAgent = (name: string, more: Partial<NewAgent> = {}) =>
    agents.create(workspaceId, { name, email: `${name.toLowerCase()}@agents.test`, traits: {}, active: true, ...more });
  const addLead = async (id: string, traits: Record<string, unknown> = {}) => {
    await db!.collection('leads').insertOne({ _id: id as never, workspaceId, traits, createdAt: new Date() });
    return id;
  };
  const stepOf = (leadId: string, stepId = `assign-${++steps}`) => {
    const runId = `journey-j1-${leadId}-1`;
    return { key: `${runId}:${stepId}`, workspaceId, leadId, journeyId: 'j1', version: 1, runId, stepId };
  };
  const assign = (leadId: string, more: { strategy?: 'round_robin' | 'least_loaded'; matchTrait?: string } = {}) =>
    sut.assignAgent({ ...stepOf(leadId), strategy: more.strategy ?? 'round_robin', ...more });
  /** What an attempt that crashed between storing an assignment and counting it leaves behind. */
  const storeUncountedAssignment = (step: ReturnType<typeof stepOf>, agent: { id: string; name: string }) =>
    db!.collection('assignments').insertOne({
      _id: `${workspaceId}:${step.key}` as never,
      workspaceId,
      leadId: step.leadId,
      agentId: agent.id,
      agentName: agent.name,
      journeyId: 'j1',
      runId: step.runId,
      stepId: step.stepId,
      status: 'open',
      applied: false,
      createdAt: new Date(),
    });
  const openCounts = async () =>
    Object.fromEntries((await agents.list(workspaceId)).map((agent) => [agent.name, agent.openAssignments]));

  it('assigns once per step key: a retry, even a concurrent one, finds the first assignment', async () => {
    await addAgent('Avery');
    await addAgent('Blake');
    const leadId = await addLead('lead_once');
    const step = { ...stepOf(leadId, 'assign'), strategy: 'round_robin' as const, reason: 'Form abandonment' };

    const [first, concurrent] = await Promise.all([sut.assignAgent(step), sut.assignAgent(step)]);
    const retried = await sut.assignAgent(step);

    expect(first).toEqual({
      status: 'assigned',
      assignmentId: step.key,
      agentId: expect.stringMatching(/^ag_/),
      agentName: expect.stringMatching(/^(Avery|Blake)$/),
    });
    expect(concurrent).toEqual(first);
    expect(retried).toEqual(first);
    expect(await db!.collection('assignments').countDocuments({ workspaceId })).toBe(1);
    // Acting twice would have bumped both agents: round robin moves on after the first.
    expect(await openCounts()).toEqual({ Avery: 0, Blake: 0, [first.agentName!]: 1 });
    const lead = await app.get(LeadsService).findLead(workspaceId, leadId);
    expect(lead.traits).toMatchObject({ assignedAgentId: first.agentId });
  });

  it('finishes an assignment whose attempt crashed before counting it, exactly once', async () => {
    const avery = await addAgent('Avery');
    const leadId = await addLead('lead_crashed');
    const step = { ...stepOf(leadId, 'assign'), strategy: 'round_robin' as const };
    await storeUncountedAssignment(step, avery);

    await sut.assignAgent(step);
    await sut.assignAgent(step);

    expect(await openCounts()).toEqual({ Avery: 1 });
  });

  it('keeps the choice of an attempt that crashed after taking its turn but before storing the assignment', async () => {
    await addAgent('Avery');
    const blake = await addAgent('Blake');
    const leadId = await addLead('lead_claimed');
    const step = { ...stepOf(leadId, 'assign'), strategy: 'round_robin' as const };
    // What the crashed attempt's claim left: Blake counts the step, and nothing else was stored.
    await db!.collection('agents').updateOne(
      { _id: blake.id as never },
      {
        $inc: { openAssignments: 1 },
        $addToSet: { openAssignmentIds: step.key },
        $set: { lastAssignedAt: new Date() },
      },
    );

    const retried = await sut.assignAgent(step);

    expect(retried).toMatchObject({ status: 'assigned', agentId: blake.id });
    expect(await openCounts()).toEqual({ Avery: 0, Blake: 1 });
  });

  it('gives back the count of an attempt that chose another agent than the stored assignment', async () => {
    const avery = await addAgent('Avery');
    const blake = await addAgent('Blake');
    const leadId = await addLead('lead_twins');
    const step = { ...stepOf(leadId, 'assign'), strategy: 'round_robin' as const };
    // Two attempts of the step: the first stored Avery; the second had counted Blake, then crashed.
    for (const agent of [avery, blake]) {
      await db!
        .collection('agents')
        .updateOne(
          { _id: agent.id as never },
          { $inc: { openAssignments: 1 }, $addToSet: { openAssignmentIds: step.key } },
        );
    }
    await storeUncountedAssignment(step, avery);

    const retried = await sut.assignAgent(step);

    expect(retried).toMatchObject({ status: 'assigned', agentId: avery.id });
    expect(await openCounts()).toEqual({ Avery: 1, Blake: 0 });
  });

  it('round robin: agents take turns', async () => {
    for (const name of ['Avery', 'Blake', 'Casey']) await addAgent(name);
    const leadId = await addLead('lead_rr');

    const chosen: string[] = [];
    for (let i = 0; i < 6; i++) chosen.push((await assign(leadId)).agentName!);

    expect(new Set(chosen.slice(0, 3)).size).toBe(3);
    expect(chosen.slice(3)).toEqual(chosen.slice(0, 3));
    expect(await openCounts()).toEqual({ Avery: 2, Blake: 2, Casey: 2 });
  });

  it('least loaded: a closed assignment makes its agent the next choice', async () => {
    for (const name of ['Avery', 'Blake', 'Casey']) await addAgent(name);
    const leadId = await addLead('lead_ll');
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await assign(leadId, { strategy: 'least_loaded' }));
    expect(new Set(results.map((r) => r.agentName)).size).toBe(3);

    const blakes = results.find((r) => r.agentName === 'Blake')!;
    await app.get(AssignmentsService).close(workspaceId, blakes.assignmentId);
    const next = await assign(leadId, { strategy: 'least_loaded' });

    expect(next.agentName).toBe('Blake');
    expect(await openCounts()).toEqual({ Avery: 1, Blake: 1, Casey: 1 });
  });

  it('counts every assignment when many run at once in one process, with no lock', async () => {
    await addAgent('Avery');
    await addAgent('Blake');
    const leadId = await addLead('lead_many');

    await Promise.all(Array.from({ length: 10 }, () => assign(leadId, { strategy: 'least_loaded' })));

    expect(await openCounts()).toEqual({ Avery: 5, Blake: 5 });
  });

  it('round robin stays even when many steps, each attempted twice at once, race in one process', async () => {
    for (const name of ['Avery', 'Blake', 'Casey']) await addAgent(name);
    const leadIds = await Promise.all(Array.from({ length: 24 }, (_, i) => addLead(`lead_${workspaceId}_${i}`)));
    const steps = leadIds.map((leadId) => ({ ...stepOf(leadId, 'assign'), strategy: 'round_robin' as const }));

    // Each step's second attempt races its first, as a retry of a slow activity would.
    const results = await Promise.all([...steps, ...steps].map((step) => sut.assignAgent(step)));

    expect(results.slice(steps.length)).toEqual(results.slice(0, steps.length));
    expect(await db!.collection('assignments').countDocuments({ workspaceId })).toBe(steps.length);
    expect(await openCounts()).toEqual({ Avery: 8, Blake: 8, Casey: 8 });
  });

  it('counts a close off once when the same close races itself and new assignments', async () => {
    for (const name of ['Avery', 'Blake']) await addAgent(name);
    const leadId = await addLead('lead_closes');
    const first = await assign(leadId, { strategy: 'least_loaded' });

    const [closes] = await Promise.all([
      Promise.all(Array.from({ length: 5 }, () => app.get(AssignmentsService).close(workspaceId, first.assignmentId))),
      Promise.all(Array.from({ length: 4 }, () => assign(leadId, { strategy: 'least_loaded' }))),
    ]);

    expect(closes.map((closed) => closed.status)).toEqual(Array(5).fill('closed'));
    const open = await db!.collection('assignments').countDocuments({ workspaceId, status: 'open' });
    expect(open).toBe(4);
    expect(Object.values(await openCounts()).reduce((a, b) => a + b)).toBe(open);
    const agentsById = await db!.collection('agents').find({ workspaceId }).toArray();
    expect(agentsById.flatMap((agent) => agent.openAssignmentIds ?? [])).not.toContain(first.assignmentId);
  });

  it("matchTrait: an agent of the lead's region, else any active agent", async () => {
    const north = await addAgent('North', { traits: { region: 'north' } });
    const south = await addAgent('South', { traits: { region: 'south' } });
    await addAgent('Retired', { traits: { region: 'east' }, active: false });
    const southern = await addLead('lead_south', { region: 'south' });
    const eastern = await addLead('lead_east', { region: 'east' });

    const first = await assign(southern, { matchTrait: 'region' });
    const second = await assign(southern, { matchTrait: 'region' });
    // Nobody active covers the east: the round robin over everyone picks North, whose turn is oldest.
    const fallback = await assign(eastern, { matchTrait: 'region' });

    expect([first.agentId, second.agentId]).toEqual([south.id, south.id]);
    expect(fallback.agentId).toBe(north.id);
  });

  it('records no_agent when nobody is active, and keeps that answer for the step', async () => {
    const blake = await addAgent('Blake', { active: false });
    const leadId = await addLead('lead_alone');
    const step = { ...stepOf(leadId, 'assign'), strategy: 'round_robin' as const };

    const result = await sut.assignAgent(step);
    await agents.update(workspaceId, blake.id, { active: true });
    const retried = await sut.assignAgent(step);

    expect(result).toEqual({ status: 'no_agent', assignmentId: step.key });
    expect(retried).toEqual(result);
    expect(await app.get(AssignmentsService).list(workspaceId, { leadId, limit: 10 })).toMatchObject([
      { id: step.key, status: 'no_agent', leadId },
    ]);
    expect(await openCounts()).toEqual({ Blake: 0 });
    await expect(app.get(AssignmentsService).close(workspaceId, step.key)).rejects.toMatchObject({
      code: 'ASSIGNMENT_CONFLICT',
      status: 409,
    });
  });

  it("creates a task once per step key, for the lead's assigned agent", async () => {
    const avery = await addAgent('Avery');
    const leadId = await addLead('lead_task');
    await assign(leadId);
    const step = { ...stepOf(leadId, 'call'), title: 'Call about the quote', dueAt: '2026-05-01T09:00:00.000Z' };

    const first = await sut.createTask(step);
    const retried = await sut.createTask({ ...step, title: 'changed on retry' });

    expect(first).toEqual({ taskId: step.key });
    expect(retried).toEqual(first);
    expect(await app.get(TasksService).list(workspaceId, { leadId, limit: 10 })).toEqual([
      expect.objectContaining({
        id: step.key,
        title: 'Call about the quote',
        dueAt: new Date('2026-05-01T09:00:00.000Z'),
        status: 'open',
        assignedAgentId: avery.id,
        journeyId: 'j1',
        runId: step.runId,
      }),
    ]);
  });

  it('creates an unassigned task for a lead without an agent', async () => {
    const leadId = await addLead('lead_no_agent');

    const { taskId } = await sut.createTask({ ...stepOf(leadId, 'call'), title: 'Call back' });

    const [task] = await app.get(TasksService).list(workspaceId, { leadId, limit: 10 });
    expect(task.id).toBe(taskId);
    expect(task).not.toHaveProperty('assignedAgentId');
    expect(task).not.toHaveProperty('dueAt');
  });
});
