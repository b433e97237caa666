import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WorkspaceContext } from '../workspaces/api-keys.service';
import { CurrentWorkspace, SecretKeyGuard } from '../workspaces/workspace-auth.guards';
import { LeadsService } from './leads.service';

@ApiTags('leads')
@ApiBearerAuth()
@Controller('v1/leads')
@UseGuards(SecretKeyGuard)
export class LeadsController {
  constructor(private readonly leads: LeadsService) {}

  @Get(':id')
  @ApiOperation({ summary: 'A lead by its id, userId or anonymousId: identities, traits, rollups, sessions' })
  async get(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string) {
    return this.leads.toProfile(await this.leads.findLead(workspace.workspaceId, id));
  }
}
