import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WorkspaceContext } from '../workspaces/api-keys.service';
import { CurrentWorkspace, SecretKeyGuard } from '../workspaces/workspace-auth.guards';
import { SegmentsService } from './segments.service';

/** A lead's segments, beside its profile. */
@ApiTags('segments')
@ApiBearerAuth()
@Controller('v1/leads')
@UseGuards(SecretKeyGuard)
export class LeadSegmentsController {
  constructor(private readonly segments: SegmentsService) {}

  @Get(':id/segments')
  @ApiOperation({ summary: 'The segments a lead (id, userId or anonymousId) is in now, and since when' })
  segmentsOf(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string) {
    return this.segments.segmentsOfLead(workspace.workspaceId, id);
  }
}
