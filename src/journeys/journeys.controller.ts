import { Body, Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { parseRequest } from '../common/validation';
import { WorkspaceContext } from '../workspaces/api-keys.service';
import { CurrentWorkspace, SecretKeyGuard } from '../workspaces/workspace-auth.guards';
import { journeyDefinitionSchema } from './dto/journey-definition.request';
import { createJourneySchema } from './dto/journey.request';
import { JourneysService } from './journeys.service';
import { bodyDocs } from '../common/openapi';

const definitionDocs = bodyDocs(journeyDefinitionSchema);

/** Authoring journeys: drafts, immutable published versions, and their lifecycle. */
@ApiTags('journeys')
@ApiBearerAuth()
@Controller('v1/journeys')
@UseGuards(SecretKeyGuard)
export class JourneysController {
  constructor(private readonly journeys: JourneysService) {}

  @Post()
  @ApiOperation({ summary: 'Create a journey as a draft: { id?, definition }' })
  create(@CurrentWorkspace() workspace: WorkspaceContext, @Body() body: unknown) {
    const { id, definition } = parseRequest(createJourneySchema, body);
    return this.journeys.create(workspace.workspaceId, definition, id);
  }

  @Get()
  @ApiOperation({ summary: "The workspace's journeys" })
  async list(@CurrentWorkspace() workspace: WorkspaceContext) {
    return { journeys: await this.journeys.list(workspace.workspaceId) };
  }

  @Get(':id')
  get(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string) {
    return this.journeys.get(workspace.workspaceId, id);
  }

  @Put(':id')
  @ApiOperation({ summary: "Replace the journey's draft; published versions do not change" })
  @ApiBody(definitionDocs)
  update(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string, @Body() body: unknown) {
    return this.journeys.updateDraft(workspace.workspaceId, id, parseRequest(journeyDefinitionSchema, body));
  }

  @Post(':id/publish')
  @HttpCode(200)
  @ApiOperation({ summary: 'Freeze the draft as the next immutable version and make it live' })
  publish(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string) {
    return this.journeys.publish(workspace.workspaceId, id);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop new entries; runs in progress continue' })
  pause(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string) {
    return this.journeys.transition(workspace.workspaceId, id, 'pause');
  }

  @Post(':id/resume')
  @HttpCode(200)
  resume(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string) {
    return this.journeys.transition(workspace.workspaceId, id, 'resume');
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Retire the journey for good; its versions stay readable' })
  archive(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string) {
    return this.journeys.transition(workspace.workspaceId, id, 'archive');
  }

  @Get(':id/versions')
  async versions(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string) {
    return { versions: await this.journeys.versions(workspace.workspaceId, id) };
  }

  @Get(':id/versions/:version')
  version(@CurrentWorkspace() workspace: WorkspaceContext, @Param('id') id: string, @Param('version') version: string) {
    const number = parseRequest(z.coerce.number().int().min(1), version, ['version']);
    return this.journeys.version(workspace.workspaceId, id, number);
  }
}
