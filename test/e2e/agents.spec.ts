import { Type } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AgentsService } from '../../src/agents/agents.service';
import { AssignmentsService } from '../../src/agents/assignments.service';
import { TasksService } from '../../src/agents/tasks.service';
import { bearer, DEV_SECRET_KEY, useApi } from '../support/tracking';

interface Agent {
  id: string;
  name: string;
  email: string;
  active: boolean;
  traits: Record<string, unknown>;
  openAssignments: number;
  lastAssignedAt?: string;
}

interface Assignment {
  id: string;
  leadId: string;
  agentId?: string;
  status: string;
  closedAt?: string;
}

interface Task {
  id: string;
  leadId: string;
  title: string;
  status: string;
  assignedAgentId?: string;
  completedAt?: string;
}

describe('agents, assignments and tasks over REST', () => {
  const nudge = useApi();
  let wired = false;
  beforeAll(async () => {
    wired = (await nudge.client.get('/v1/agents')).status !== 404;
  });
  /** A service of the running API; Nest would end the whole jest run (process.exit) on a missing one. */
  const service = <T>(type: Type<T>): T => {
    if (!wired) throw new Error('AgentsModule is not imported by AppModule');
    return nudge.api.app.get(type);
  };
  const patch = async <T>(path: string, body: unknown) => {
    const response = await fetch(`${nudge.api.url}${path}`, {
      method: 'PATCH',
      headers: { authorization: bearer(DEV_SECRET_KEY), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const agents = async () => (await nudge.client.get<{ agents: Agent[] }>('/v1/agents')).body.agents;
  const agent = async (id: string) => (await agents()).find((a) => a.id === id)!;

  /** A lead known by a userId, as the tracker creates it. */
  const identifiedLead = async (traits: Record<string, unknown> = {}) => {
    const userId = `user-${randomUUID()}`;
    await nudge.client.post('/v1/identify', { userId, traits, messageId: randomUUID() });
    return userId;
  };
  /** What the worker does for a journey's assign_agent or create_task step. */
  const step = (leadId: string, stepId: string) => {
    const runId = `journey-e2e-${leadId}-1`;
    return { key: `${runId}:${stepId}`, workspaceId: 'dev', leadId, journeyId: 'e2e', version: 1, runId, stepId };
  };
  const leadIdOf = async (userId: string) => (await nudge.client.get<{ id: string }>(`/v1/leads/${userId}`)).body.id;

  describe('agents', () => {
    it('seeds the development sales team once, however often the app starts', async () => {
      await service(AgentsService).onApplicationBootstrap();

      const seeded = (await agents()).filter((a) => a.email.endsWith('@example.com'));

      expect(seeded.map((a) => [a.name, a.traits.region, a.active])).toEqual([
        ['Avery Quinn', 'north', true],
        ['Blake Rivera', 'south', true],
        ['Casey Morgan', 'west', true],
      ]);
    });

    it('creates an agent with defaults, and refuses a second one with the same email', async () => {
      const email = `Dana.${randomUUID()}@Agents.test`;

      const created = await nudge.client.admin<Agent>('POST', '/v1/agents', { name: ' Dana Lee ', email });
      const again = await nudge.client.admin('POST', '/v1/agents', { name: 'Other', email: email.toLowerCase() });

      expect(created).toMatchObject({
        status: 201,
        body: { name: 'Dana Lee', email: email.toLowerCase(), active: true, traits: {}, openAssignments: 0 },
      });
      expect(created.body.id).toMatch(/^ag_[0-9a-f]{12}$/);
      expect(await agent(created.body.id)).toMatchObject({ name: 'Dana Lee' });
      expect(again).toMatchObject({
        status: 409,
        body: { error: 'AGENT_EXISTS', message: expect.stringMatching(/^email: /) },
      });
    });

    it('changes an agent: traits replaced, deactivated', async () => {
      const { body: created } = await nudge.client.admin<Agent>('POST', '/v1/agents', {
        name: 'Eli',
        email: `eli.${randomUUID()}@agents.test`,
        traits: { region: 'north', language: 'fr' },
      });

      const changed = await patch<Agent>(`/v1/agents/${created.id}`, { traits: { region: 'south' }, active: false });

      expect(changed).toMatchObject({
        status: 200,
        body: { id: created.id, active: false, traits: { region: 'south' } },
      });
      expect(changed.body.traits).not.toHaveProperty('language');
    });

    it.each([
      ['no name', { email: 'x@agents.test' }, /^name: is required/],
      ['a bad email', { name: 'X', email: 'not-an-email' }, /^email: /],
      [
        'a trait key with a dot',
        { name: 'X', email: 'x@agents.test', traits: { 'a.b': 1 } },
        /^traits\.a\.b: no "\$" or "\." in a trait name$/,
      ],
      ['a non-boolean active', { name: 'X', email: 'x@agents.test', active: 'yes' }, /^active: /],
    ])('refuses %s with a 400 naming the field', async (_, body, message) => {
      const reply = await nudge.client.admin<{ message: string }>('POST', '/v1/agents', body);

      expect(reply.status).toBe(400);
      expect(reply.body.message).toMatch(message);
    });

    it('refuses a PATCH of unknown fields, an empty one, and one for an unknown agent', async () => {
      const [someone] = await agents();

      const unknownField = await patch<{ message: string }>(`/v1/agents/${someone.id}`, { openAssignments: 0 });
      const empty = await patch<{ message: string }>(`/v1/agents/${someone.id}`, {});
      const unknownAgent = await patch<{ error: string }>('/v1/agents/ag_nobody', { active: false });

      expect(unknownField.status).toBe(400);
      expect(unknownField.body.message).toMatch(/openAssignments/);
      expect(empty).toMatchObject({ status: 400, body: { message: 'name, email, traits or active is required' } });
      expect(unknownAgent).toMatchObject({ status: 404, body: { error: 'AGENT_NOT_FOUND' } });
    });

    it('needs the secret key', async () => {
      const reply = await fetch(`${nudge.api.url}/v1/agents`);

      expect(reply.status).toBe(401);
    });
  });

  describe('assignments', () => {
    it("lists a lead's assignments by userId and closes one, freeing the agent", async () => {
      const userId = await identifiedLead({ region: 'south' });
      const leadId = await leadIdOf(userId);
      const assigned = await service(AssignmentsService).assign({
        ...step(leadId, 'assign'),
        strategy: 'round_robin',
        matchTrait: 'region',
        reason: 'Form abandonment',
      });
      const before = await agent(assigned.agentId!);

      const listed = await nudge.client.get<{ assignments: Assignment[] }>(`/v1/assignments?leadId=${userId}`);
      const closed = await nudge.client.admin<Assignment>('POST', `/v1/assignments/${assigned.assignmentId}/close`);
      const closedAgain = await nudge.client.admin<Assignment>(
        'POST',
        `/v1/assignments/${assigned.assignmentId}/close`,
      );

      expect(before).toMatchObject({ name: 'Blake Rivera', openAssignments: expect.any(Number) });
      expect(listed.body.assignments).toEqual([
        expect.objectContaining({
          id: assigned.assignmentId,
          leadId,
          agentId: before.id,
          status: 'open',
          reason: 'Form abandonment',
        }),
      ]);
      expect(listed.body.assignments[0]).not.toHaveProperty('applied');
      expect(closed).toMatchObject({ status: 200, body: { status: 'closed', closedAt: expect.any(String) } });
      expect(closedAgain.body.closedAt).toBe(closed.body.closedAt);
      expect((await agent(before.id)).openAssignments).toBe(before.openAssignments - 1);
      const byAgent = await nudge.client.get<{ assignments: Assignment[] }>(
        `/v1/assignments?agentId=${before.id}&status=closed`,
      );
      expect(byAgent.body.assignments.map((a) => a.id)).toContain(assigned.assignmentId);
    });

    it('answers 404 for an unknown assignment or lead, 400 for a bad filter', async () => {
      expect(await nudge.client.admin('POST', '/v1/assignments/nope/close')).toMatchObject({
        status: 404,
        body: { error: 'ASSIGNMENT_NOT_FOUND' },
      });
      expect(await nudge.client.get('/v1/assignments?leadId=nobody-at-all')).toMatchObject({
        status: 404,
        body: { error: 'LEAD_NOT_FOUND' },
      });
      expect(await nudge.client.get('/v1/assignments?status=pending')).toMatchObject({
        status: 400,
        body: { message: expect.stringMatching(/^status: /) },
      });
      expect(await nudge.client.get('/v1/assignments?limit=0')).toMatchObject({
        status: 400,
        body: { message: expect.stringMatching(/^limit: /) },
      });
    });
  });

  describe('tasks', () => {
    it("lists a lead's open tasks and completes one, once", async () => {
      const userId = await identifiedLead();
      const leadId = await leadIdOf(userId);
      const { taskId } = await service(TasksService).createTask({
        ...step(leadId, 'call'),
        title: 'Call about the quote',
        dueAt: '2026-06-01T09:00:00.000Z',
      });

      const open = await nudge.client.get<{ tasks: Task[] }>(`/v1/tasks?leadId=${userId}&status=open`);
      const done = await nudge.client.admin<Task>('POST', `/v1/tasks/${taskId}/complete`);
      const doneAgain = await nudge.client.admin<Task>('POST', `/v1/tasks/${taskId}/complete`);
      const stillOpen = await nudge.client.get<{ tasks: Task[] }>(`/v1/tasks?leadId=${userId}&status=open`);

      expect(open.body.tasks).toEqual([
        expect.objectContaining({
          id: taskId,
          leadId,
          title: 'Call about the quote',
          status: 'open',
          dueAt: '2026-06-01T09:00:00.000Z',
        }),
      ]);
      expect(done).toMatchObject({
        status: 200,
        body: { id: taskId, status: 'done', completedAt: expect.any(String) },
      });
      expect(doneAgain.body.completedAt).toBe(done.body.completedAt);
      expect(stillOpen.body.tasks).toEqual([]);
    });

    it('answers 404 for an unknown task and 400 for an unknown status', async () => {
      expect(await nudge.client.admin('POST', '/v1/tasks/nope/complete')).toMatchObject({
        status: 404,
        body: { error: 'TASK_NOT_FOUND' },
      });
      expect(await nudge.client.get('/v1/tasks?status=closed')).toMatchObject({
        status: 400,
        body: { message: expect.stringMatching(/^status: /) },
      });
    });
  });
});
