import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WorkspaceContext } from '../../workspaces/api-keys.service';
import { CurrentWorkspace, SecretKeyGuard } from '../../workspaces/workspace-auth.guards';
import { BehaviorTriggersService } from './behavior-triggers.service';
import { createTriggerSchema } from './dto/trigger.request';
import { bodyDocs } from '../../common/openapi';

/** The product spec's trigger routes; each trigger is a published journey underneath. */
@ApiTags('behavior triggers (spec)')
@ApiBearerAuth()
@Controller('api/behavior/triggers')
@UseGuards(SecretKeyGuard)
export class BehaviorTriggersController {
  constructor(private readonly triggers: BehaviorTriggersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a behavioral trigger (CreateTriggerRequest): published at once as a journey' })
  @ApiBody(bodyDocs(createTriggerSchema))
  create(@CurrentWorkspace() workspace: WorkspaceContext, @Body() body: unknown) {
    return this.triggers.create(workspace.workspaceId, body);
  }
}
