import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { parseRequest } from '../common/validation';
import { LeadsService } from '../leads/leads.service';
import { WorkspaceContext } from '../workspaces/api-keys.service';
import { CurrentWorkspace, SecretKeyGuard } from '../workspaces/workspace-auth.guards';
import { eventId, EventsRepository } from './events.repository';
import { limitParam, pageOf } from '../common/pagination';
import { eventsQuerySchema } from './dto/events-query.request';

/** Reading what was tracked: a lead's events, and the events that were refused. */
@ApiTags('leads')
@ApiBearerAuth()
@Controller('v1')
@UseGuards(SecretKeyGuard)
export class EventsReadController {
  constructor(
    private readonly leads: LeadsService,
    private readonly events: EventsRepository,
  ) {}

  @Get('leads/:id/events')
  @ApiOperation({
    summary: "A lead's events, newest first",
    description: 'Query: from, to (ISO 8601), type (event type), limit (≤ 1000), cursor (from nextCursor).',
  })
  async leadEvents(
    @CurrentWorkspace() workspace: WorkspaceContext,
    @Param('id') id: string,
    @Query() rawQuery: unknown,
  ) {
    const query = parseRequest(eventsQuerySchema, rawQuery);
    const leadIds = await this.leads.findLeadIds(workspace.workspaceId, id);
    const events = await this.events.find(workspace.workspaceId, {
      leadIds,
      ...(query.from && { from: query.from }),
      ...(query.to && { to: query.to }),
      ...(query.type && { eventType: query.type }),
      ...(query.cursor && { before: query.cursor }),
      limit: query.limit + 1,
    });
    const { page, nextCursor } = pageOf(events, query.limit, (event) => ({
      at: event.timestamp,
      id: eventId(event.sourceId, event.messageId),
    }));
    return { leadId: leadIds[0], events: page, nextCursor };
  }

  @Get('failed-events')
  @ApiOperation({ summary: 'Refused events, newest first, with the reason each was refused' })
  async failedEvents(@CurrentWorkspace() workspace: WorkspaceContext, @Query() rawQuery: unknown) {
    const { limit } = parseRequest(z.object({ limit: limitParam(1000, 100) }), rawQuery);
    return { failedEvents: await this.events.findFailed(workspace.workspaceId, limit) };
  }
}
