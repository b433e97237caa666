import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { WorkspaceContext } from '../../workspaces/api-keys.service';
import { CurrentWorkspace, SecretKeyGuard } from '../../workspaces/workspace-auth.guards';
import { BehaviorTriggersService } from './behavior-triggers.service';
import { createTriggerSchema } from './dto/trigger.request';

/** The product spec's trigger routes; each trigger is a published journey underneath. */
@ApiTags('behavior triggers (spec)')
@ApiBearerAuth()
@Controller('api/behavior/triggers')
@UseGuards(SecretKeyGuard)
export class BehaviorTriggersController {
  constructor(private readonly triggers: BehaviorTriggersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a behavioral trigger (CreateTriggerRequest): published at once as a journey' })
  @ApiBody({ schema: z.toJSONSchema(createTriggerSchema, { io: 'input', unrepresentable: 'any' }) as object })
  create(@CurrentWorkspace() workspace: WorkspaceContext, @Body() body: unknown) {
    return this.triggers.create(workspace.workspaceId, body);
  }
}
