import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { FormBodyIsJson } from '../common/request-body';
import { parseRequest } from '../common/validation';
import { WorkspaceContext } from '../workspaces/api-keys.service';
import { CurrentWorkspace, WriteKeyGuard } from '../workspaces/workspace-auth.guards';
import { IngestThrottlerGuard } from './ingest-throttler.guard';
import { IngestionService } from './ingestion.service';
import * as schemas from './dto/message.request';
import { bodyDocs } from '../common/openapi';

const requestInfo = (request: FastifyRequest) => ({ receivedAt: new Date(), ip: request.ip });

/**
 * The Segment HTTP tracking API, so analytics.js, RudderStack or any Segment library
 * pointed at Nudge just works; the one-letter paths are the ones analytics.js uses.
 */
@ApiTags('tracking')
@ApiBasicAuth('writeKey')
@Controller('v1')
@UseGuards(WriteKeyGuard, IngestThrottlerGuard)
export class TrackingController {
  constructor(private readonly ingestion: IngestionService) {}

  @Post(['track', 't'])
  @HttpCode(200)
  @FormBodyIsJson()
  @ApiOperation({ summary: 'Record an action a user performed' })
  @ApiBody(bodyDocs(schemas.trackSchema))
  track(@CurrentWorkspace() workspace: WorkspaceContext, @Body() body: unknown, @Req() request: FastifyRequest) {
    return this.ingestion.ingestOne(workspace, body, requestInfo(request), 'track');
  }

  @Post(['identify', 'i'])
  @HttpCode(200)
  @FormBodyIsJson()
  @ApiOperation({ summary: 'Tie a user to their traits, and the anonymous visitor to the user' })
  @ApiBody(bodyDocs(schemas.identifySchema))
  identify(@CurrentWorkspace() workspace: WorkspaceContext, @Body() body: unknown, @Req() request: FastifyRequest) {
    return this.ingestion.ingestOne(workspace, body, requestInfo(request), 'identify');
  }

  @Post(['page', 'p'])
  @HttpCode(200)
  @FormBodyIsJson()
  @ApiOperation({ summary: 'Record a page view (stored as page_view)' })
  @ApiBody(bodyDocs(schemas.pageSchema))
  page(@CurrentWorkspace() workspace: WorkspaceContext, @Body() body: unknown, @Req() request: FastifyRequest) {
    return this.ingestion.ingestOne(workspace, body, requestInfo(request), 'page');
  }

  @Post(['screen', 's'])
  @HttpCode(200)
  @FormBodyIsJson()
  @ApiOperation({ summary: 'Record a mobile screen view (stored as screen_view)' })
  @ApiBody(bodyDocs(schemas.screenSchema))
  screen(@CurrentWorkspace() workspace: WorkspaceContext, @Body() body: unknown, @Req() request: FastifyRequest) {
    return this.ingestion.ingestOne(workspace, body, requestInfo(request), 'screen');
  }

  @Post(['group', 'g'])
  @HttpCode(200)
  @FormBodyIsJson()
  @ApiOperation({ summary: 'Associate a user with a group (a company, an account)' })
  @ApiBody(bodyDocs(schemas.groupSchema))
  group(@CurrentWorkspace() workspace: WorkspaceContext, @Body() body: unknown, @Req() request: FastifyRequest) {
    return this.ingestion.ingestOne(workspace, body, requestInfo(request), 'group');
  }

  @Post(['alias', 'a'])
  @HttpCode(200)
  @FormBodyIsJson()
  @ApiOperation({ summary: 'Merge a previous id into a user id' })
  @ApiBody(bodyDocs(schemas.aliasSchema))
  alias(@CurrentWorkspace() workspace: WorkspaceContext, @Body() body: unknown, @Req() request: FastifyRequest) {
    return this.ingestion.ingestOne(workspace, body, requestInfo(request), 'alias');
  }

  @Post(['batch', 'b', 'import'])
  @HttpCode(200)
  @FormBodyIsJson()
  @ApiOperation({
    summary: 'Send up to 2,500 messages (500 KB) at once',
    description: 'Bad items do not fail the batch: they come back in `rejected` with their index and reason.',
  })
  @ApiBody(bodyDocs(schemas.batchEnvelopeSchema))
  batch(@CurrentWorkspace() workspace: WorkspaceContext, @Body() body: unknown, @Req() request: FastifyRequest) {
    const { batch, ...envelope } = parseRequest(schemas.batchEnvelopeSchema, body);
    return this.ingestion.ingest(workspace, batch, envelope, requestInfo(request));
  }
}
