import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { parseRequest } from '../../common/validation';
import { WorkspaceContext } from '../../workspaces/api-keys.service';
import { CurrentWorkspace, SecretKeyGuard } from '../../workspaces/workspace-auth.guards';
import { executionsQuerySchema } from './dto/executions-query.request';
import { JourneyExecutionsService } from './journey-executions.service';

/** The product spec's execution history of a trigger: the runs of the journey it created. */
@ApiTags('behavior triggers (spec)')
@ApiBearerAuth()
@Controller('api/behavior/triggers')
@UseGuards(SecretKeyGuard)
export class TriggerExecutionsController {
  constructor(private readonly executions: JourneyExecutionsService) {}

  @Get(':id/executions')
  @ApiOperation({ summary: "A trigger's executions (TriggerExecution), newest first; same query as journeys" })
  list(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string, @Query() query: unknown) {
    return this.executions.listAsTriggerExecutions(
      workspace.workspaceId,
      id,
      parseRequest(executionsQuerySchema, query),
    );
  }
}
