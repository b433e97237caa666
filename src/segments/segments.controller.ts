import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Put,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppError } from '../common/app-error';
import { CommonErrorCode } from '../common/error-codes';
import { bodyDocs } from '../common/openapi';
import { parseRequest } from '../common/validation';
import { WorkspaceContext } from '../workspaces/api-keys.service';
import { CurrentWorkspace, SecretKeyGuard } from '../workspaces/workspace-auth.guards';
import {
  analyticsQuerySchema,
  createSegmentSchema,
  importQuerySchema,
  membersQuerySchema,
  previewSegmentSchema,
  updateSegmentSchema,
} from './dto/segment.request';
import { leadIdsFromCsv } from './import/lead-list-csv';
import { SegmentPreview } from './preview/segment-preview';
import { SegmentAnalytics } from './analytics/segment-analytics';
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
  constructor(
    private readonly segments: SegmentsService,
    private readonly previews: SegmentPreview,
    private readonly analytics: SegmentAnalytics,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a segment: static (leadIds), dynamic or behavioral (criteria)' })
  @ApiBody(bodyDocs(createSegmentSchema))
  create(@CurrentWorkspace() workspace: WorkspaceContext, @Body() body: unknown) {
    return this.segments.create(workspace.workspaceId, parseRequest(createSegmentSchema, body));
  }

  @Post('preview')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Who criteria would hold now (count and a sample of leads), without saving a segment',
    description: 'Evaluates every lead of the workspace, as a recalculation does; it takes as long as one.',
  })
  @ApiBody(bodyDocs(previewSegmentSchema))
  preview(@CurrentWorkspace() workspace: WorkspaceContext, @Body() body: unknown) {
    const { criteria, sampleSize } = parseRequest(previewSegmentSchema, body);
    return this.previews.preview(workspace.workspaceId, criteria, sampleSize);
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

  @Get(':segmentId/analytics')
  @ApiOperation({
    summary: "A segment's members, last recalculation and daily growth",
    description: 'Query: days (1–365, default 30) of growth, UTC days, today included: entered, exited, members.',
  })
  segmentAnalytics(
    @CurrentWorkspace() workspace: WorkspaceContext,
    @Param('segmentId') id: string,
    @Query() query: unknown,
  ) {
    const { days } = parseRequest(analyticsQuerySchema, query);
    return this.analytics.analytics(workspace.workspaceId, id, days);
  }

  @Put(':segmentId')
  @ApiOperation({ summary: "Change a segment's name, status, criteria, leads, visibility or tags" })
  @ApiBody(bodyDocs(updateSegmentSchema))
  update(@CurrentWorkspace() workspace: WorkspaceContext, @Param('segmentId') id: string, @Body() body: unknown) {
    return this.segments.update(workspace.workspaceId, id, parseRequest(updateSegmentSchema, body));
  }

  @Post(':segmentId/import')
  @ApiOperation({
    summary: "Import a CSV file of lead ids into a static segment's list",
    description:
      'Body: text/csv (gzip allowed), up to 8 MB; the column headed leadId, id, userId, external_id or ' +
      'anonymousId (or named by ?column=), or the only column of a file without a header. ' +
      '?mode=add (default) adds to the list, replace makes it the list. A segment lists at most 100,000 leads. ' +
      'The list is stored before answering; members then move in a workflow (202, its workflowId), or, with ' +
      'Temporal unreachable, before answering (200).',
  })
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', example: 'userId\nuser_1\nuser_2\n' } })
  async importLeads(
    @CurrentWorkspace() workspace: WorkspaceContext,
    @Param('segmentId') id: string,
    @Query() query: unknown,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { mode, column } = parseRequest(importQuerySchema, query);
    if (typeof body !== 'string')
      throw new AppError(
        CommonErrorCode.UnsupportedMediaType,
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        'Content-Type: send the file as text/csv',
      );
    const imported = await this.segments.importLeads(workspace.workspaceId, id, leadIdsFromCsv(body, column).ids, mode);
    reply.status(imported.membersSync === 'started' ? HttpStatus.ACCEPTED : HttpStatus.OK);
    return imported;
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
