import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { parseRequest } from '../../common/validation';
import { WorkspaceContext } from '../../workspaces/api-keys.service';
import { CurrentWorkspace, SecretKeyGuard } from '../../workspaces/workspace-auth.guards';
import { executionsQuerySchema } from './dto/executions-query.request';
import { JourneyExecutionsService } from './journey-executions.service';

/** What journeys did: their runs, each run's steps, and counts per journey. */
@ApiTags('journeys')
@ApiBearerAuth()
@Controller('v1/journeys')
@UseGuards(SecretKeyGuard)
export class JourneyExecutionsController {
  constructor(private readonly executions: JourneyExecutionsService) {}

  @Get(':id/executions')
  @ApiOperation({
    summary: "A journey's runs, newest first, each with its steps",
    description: 'Query: leadId (a lead id, userId or anonymousId), status, limit (≤ 200), cursor (from nextCursor).',
  })
  list(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string, @Query() query: unknown) {
    return this.executions.list(workspace.workspaceId, id, parseRequest(executionsQuerySchema, query));
  }

  @Get(':id/stats')
  @ApiOperation({ summary: 'Runs entered, running, completed, exited, failed and converted; results per step' })
  stats(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string) {
    return this.executions.stats(workspace.workspaceId, id);
  }
}
