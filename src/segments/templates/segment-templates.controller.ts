import { Body, Controller, Get, HttpStatus, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';

import { AppError } from '../../common/app-error';
import { parseRequest } from '../../common/validation';
import { WorkspaceContext } from '../../workspaces/api-keys.service';
import { CurrentWorkspace, SecretKeyGuard } from '../../workspaces/workspace-auth.guards';
import { applyTemplateSchema, createSegmentSchema } from '../dto/segment.request';
import { SegmentErrorCode } from '../segment-errors';
import { SegmentsService } from '../segments.service';
import { findSegmentTemplate, segmentTemplates } from './segment-templates';

/** The suggested behaviors: list them, or create a segment from one. */
@ApiTags('segments')
@ApiBearerAuth()
@Controller('v1/segment-templates')
@UseGuards(SecretKeyGuard)
export class SegmentTemplatesController {
  constructor(private readonly segments: SegmentsService) {}

  @Get()
  @ApiOperation({ summary: 'Suggested behaviors: what each holds, the events it reads, its criteria' })
  list() {
    return { templates: segmentTemplates };
  }

  @Post(':templateId')
  @ApiOperation({
    summary: 'Create a behavioral segment from a template',
    description: 'Body (optional): id (default the template id), name, status, tags.',
  })
  apply(
    @CurrentWorkspace() workspace: WorkspaceContext,
    @Param('templateId') templateId: string,
    @Body() body: unknown,
  ) {
    const template = findSegmentTemplate(templateId);
    if (!template)
      throw new AppError(
        SegmentErrorCode.TemplateNotFound,
        HttpStatus.NOT_FOUND,
        `templateId: no segment template "${templateId}"; GET /v1/segment-templates lists them`,
      );
    const overrides = parseRequest(applyTemplateSchema, body ?? {});
    const request = parseRequest(createSegmentSchema, {
      id: template.id,
      name: template.name,
      description: template.description,
      type: 'behavioral',
      criteria: template.criteria,
      tags: ['suggested-behavior'],
      ...overrides,
    });
    return this.segments.create(workspace.workspaceId, request);
  }
}
