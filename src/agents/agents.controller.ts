import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { parseRequest } from '../common/validation';
import { WorkspaceContext } from '../workspaces/api-keys.service';
import { CurrentWorkspace, SecretKeyGuard } from '../workspaces/workspace-auth.guards';
import { assignmentStatuses } from './assignment.model';
import { taskStatuses } from './task.model';
import { AgentsService } from './agents.service';
import { AssignmentsService } from './assignments.service';
import { TasksService } from './tasks.service';
import { bodyDocs } from '../common/openapi';
import { limitParam } from '../common/pagination';

const fields = {
  name: z.string().trim().min(1).max(200),
  email: z.email().transform((email) => email.toLowerCase()),
  // Checked here rather than in the key schema, whose failure zod reports only as "Invalid key in record".
  traits: z.record(z.string(), z.unknown()).superRefine((traits, context) => {
    for (const key of Object.keys(traits)) {
      if (/^$|[$.]/.test(key))
        context.addIssue({ code: 'custom', path: [key], message: 'no "$" or "." in a trait name' });
    }
  }),
  active: z.boolean(),
};
const createSchema = z.object({ ...fields, traits: fields.traits.default({}), active: fields.active.default(true) });
const updateSchema = z
  .strictObject(fields)
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, 'name, email, traits or active is required');

const filters = {
  leadId: z.string().min(1).optional(),
  agentId: z.string().min(1).optional(),
  limit: limitParam(1000, 100),
};
const assignmentsQuery = z.object({ ...filters, status: z.enum(assignmentStatuses).optional() });
const tasksQuery = z.object({ ...filters, status: z.enum(taskStatuses).optional() });

/** The sales team, and the assignments and tasks journeys give it. */
@ApiTags('agents')
@ApiBearerAuth()
@Controller('v1')
@UseGuards(SecretKeyGuard)
export class AgentsController {
  constructor(
    private readonly agents: AgentsService,
    private readonly assignments: AssignmentsService,
    private readonly tasks: TasksService,
  ) {}

  @Get('agents')
  @ApiOperation({ summary: "The workspace's agents, with their open assignments" })
  async list(@CurrentWorkspace() workspace: WorkspaceContext) {
    return { agents: await this.agents.list(workspace.workspaceId) };
  }

  @Post('agents')
  @ApiOperation({ summary: 'Add an agent: { name, email, traits?, active? }' })
  @ApiBody(bodyDocs(createSchema))
  create(@CurrentWorkspace() workspace: WorkspaceContext, @Body() body: unknown) {
    return this.agents.create(workspace.workspaceId, parseRequest(createSchema, body));
  }

  @Patch('agents/:id')
  @ApiOperation({ summary: 'Change an agent; `traits` replaces all of its traits, `active: false` stops new leads' })
  @ApiBody(bodyDocs(updateSchema))
  update(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string, @Body() body: unknown) {
    return this.agents.update(workspace.workspaceId, id, parseRequest(updateSchema, body));
  }

  @Get('assignments')
  @ApiOperation({
    summary: 'Assignments, newest first',
    description: 'Query: leadId (a lead id, userId or anonymousId), agentId, status, limit (≤ 1000).',
  })
  async listAssignments(@CurrentWorkspace() workspace: WorkspaceContext, @Query() query: unknown) {
    return { assignments: await this.assignments.list(workspace.workspaceId, parseRequest(assignmentsQuery, query)) };
  }

  @Post('assignments/:id/close')
  @HttpCode(200)
  @ApiOperation({ summary: "Close an assignment; it no longer counts toward the agent's load" })
  closeAssignment(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string) {
    return this.assignments.close(workspace.workspaceId, id);
  }

  @Get('tasks')
  @ApiOperation({
    summary: 'Tasks, newest first',
    description: 'Query: leadId (a lead id, userId or anonymousId), agentId (the assignee), status, limit (≤ 1000).',
  })
  async listTasks(@CurrentWorkspace() workspace: WorkspaceContext, @Query() query: unknown) {
    return { tasks: await this.tasks.list(workspace.workspaceId, parseRequest(tasksQuery, query)) };
  }

  @Post('tasks/:id/complete')
  @HttpCode(200)
  completeTask(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string) {
    return this.tasks.complete(workspace.workspaceId, id);
  }
}
