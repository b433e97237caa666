import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { parseRequest } from '../common/validation';
import { WorkspaceContext } from '../workspaces/api-keys.service';
import { CurrentWorkspace, SecretKeyGuard } from '../workspaces/workspace-auth.guards';
import { AgentsService } from './agents.service';
import { AssignmentsService } from './assignments.service';
import { TasksService } from './tasks.service';
import { bodyDocs } from '../common/openapi';
import { assignmentsQuerySchema, createAgentSchema, tasksQuerySchema, updateAgentSchema } from './dto/agent.request';

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
  @ApiBody(bodyDocs(createAgentSchema))
  create(@CurrentWorkspace() workspace: WorkspaceContext, @Body() body: unknown) {
    return this.agents.create(workspace.workspaceId, parseRequest(createAgentSchema, body));
  }

  @Patch('agents/:id')
  @ApiOperation({ summary: 'Change an agent; `traits` replaces all of its traits, `active: false` stops new leads' })
  @ApiBody(bodyDocs(updateAgentSchema))
  update(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string, @Body() body: unknown) {
    return this.agents.update(workspace.workspaceId, id, parseRequest(updateAgentSchema, body));
  }

  @Get('assignments')
  @ApiOperation({
    summary: 'Assignments, newest first',
    description: 'Query: leadId (a lead id, userId or anonymousId), agentId, status, limit (≤ 1000).',
  })
  async listAssignments(@CurrentWorkspace() workspace: WorkspaceContext, @Query() query: unknown) {
    return {
      assignments: await this.assignments.list(workspace.workspaceId, parseRequest(assignmentsQuerySchema, query)),
    };
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
    return { tasks: await this.tasks.list(workspace.workspaceId, parseRequest(tasksQuerySchema, query)) };
  }

  @Post('tasks/:id/complete')
  @HttpCode(200)
  completeTask(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string) {
    return this.tasks.complete(workspace.workspaceId, id);
  }
}
