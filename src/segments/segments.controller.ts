import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { bodyDocs } from '../common/openapi';
import { parseRequest } from '../common/validation';
import { WorkspaceContext } from '../workspaces/api-keys.service';
import { CurrentWorkspace, SecretKeyGuard } from '../workspaces/workspace-auth.guards';
import { createSegmentSchema, membersQuerySchema, updateSegmentSchema } from './dto/segment.request';
import { SegmentsService } from './segments.service';

/**
 * Segments over REST, at `/v1/segments` and at the product spec's `/api/behavior/segments`
 * (the same handlers: the spec's CreateSegmentRequest is accepted on both).
 */
@ApiTags('segments')
@ApiBearerAuth()
@Controller(['v1/segments', 'api/behavior/segments'])
@UseGuards(SecretKeyGuard)
export class SegmentsController {
  constructor(private readonly segments: SegmentsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a segment: static (leadIds), dynamic or behavioral (criteria)' })
  @ApiBody(bodyDocs(createSegmentSchema))
  create(@CurrentWorkspace() workspace: WorkspaceContext, @Body() body: unknown) {
    return this.segments.create(workspace.workspaceId, parseRequest(createSegmentSchema, body));
  }

  @Get()
  @ApiOperation({ summary: "The workspace's segments, newest first" })
  async list(@CurrentWorkspace() workspace: WorkspaceContext) {
    return { segments: await this.segments.list(workspace.workspaceId) };
  }

  @Get(':segmentId')
  get(@CurrentWorkspace() workspace: WorkspaceContext, @Param('segmentId') id: string) {
    return this.segments.get(workspace.workspaceId, id);
  }

  @Get(':segmentId/members')
  @ApiOperation({
    summary: "A segment's members, latest entries first",
    description: 'Query: limit (≤ 1000), cursor (from nextCursor).',
  })
  members(@CurrentWorkspace() workspace: WorkspaceContext, @Param('segmentId') id: string, @Query() query: unknown) {
    const { limit, cursor } = parseRequest(membersQuerySchema, query);
    return this.segments.members(workspace.workspaceId, id, { limit, ...(cursor && { before: cursor }) });
  }

  @Put(':segmentId')
  @ApiOperation({ summary: "Change a segment's name, status, criteria, leads, visibility or tags" })
  @ApiBody(bodyDocs(updateSegmentSchema))
  update(@CurrentWorkspace() workspace: WorkspaceContext, @Param('segmentId') id: string, @Body() body: unknown) {
    return this.segments.update(workspace.workspaceId, id, parseRequest(updateSegmentSchema, body));
  }

  @Post(':segmentId/recalculate')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Recalculate a criteria segment now',
    description: 'Starts its Schedule at once (or right after a run in progress); 503 if Temporal is unreachable.',
  })
  recalculate(@CurrentWorkspace() workspace: WorkspaceContext, @Param('segmentId') id: string) {
    return this.segments.recalculate(workspace.workspaceId, id);
  }

  @Delete(':segmentId')
  @HttpCode(204)
  async remove(@CurrentWorkspace() workspace: WorkspaceContext, @Param('segmentId') id: string) {
    await this.segments.remove(workspace.workspaceId, id);
  }
}
