import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { FormBodyIsJson } from '../common/request-body';
import { parseRequest } from '../common/validation';
import { WorkspaceContext } from '../workspaces/api-keys.service';
import { CurrentWorkspace, WriteKeyGuard } from '../workspaces/workspace-auth.guards';
import { IngestThrottlerGuard } from './ingest-throttler.guard';
import { IngestionService } from './ingestion.service';
import { BehaviorEventRequest, behaviorEventSchema } from './dto/message.request';
import { bodyDocs } from '../common/openapi';

/** The product spec's tracking route, on the same ingestion path as the Segment API. */
@ApiTags('tracking')
@ApiBasicAuth('writeKey')
@Controller('api/behavior')
@UseGuards(WriteKeyGuard, IngestThrottlerGuard)
export class BehaviorController {
  constructor(private readonly ingestion: IngestionService) {}

  @Post('events')
  @HttpCode(200)
  @FormBodyIsJson()
  @ApiOperation({
    summary: 'Track a behavior event (TrackBehaviorEventRequest)',
    description:
      'leadId is the lead as your systems know it (stored as userId); without one, the sessionId stands in for the anonymous visitor.',
  })
  @ApiBody(bodyDocs(behaviorEventSchema))
  track(@CurrentWorkspace() workspace: WorkspaceContext, @Body() body: unknown, @Req() request: FastifyRequest) {
    const event = parseRequest(behaviorEventSchema, body);
    return this.ingestion.ingestOne(workspace, toTrackCall(event), { receivedAt: new Date(), ip: request.ip }, 'track');
  }
}

/** The spec's request as the Segment track call it is. */
function toTrackCall(event: BehaviorEventRequest): Record<string, unknown> {
  const userId = event.userId ?? event.leadId;
  const anonymousId = event.anonymousId ?? (userId === undefined ? event.sessionId : undefined);
  return {
    event: event.eventType,
    ...(event.category !== undefined && { category: event.category }),
    properties: event.properties ?? {},
    context: event.context ?? {},
    ...(event.value !== undefined && { value: event.value }),
    ...(event.metadata && { metadata: event.metadata }),
    ...(userId !== undefined && { userId }),
    ...(anonymousId !== undefined && { anonymousId }),
    ...(event.sessionId && { sessionId: event.sessionId }),
    ...(event.messageId && { messageId: event.messageId }),
    ...(event.timestamp && { timestamp: event.timestamp.toISOString() }),
  };
}
