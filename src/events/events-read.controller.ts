import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { parseRequest } from '../common/validation';
import { LeadsService } from '../leads/leads.service';
import { WorkspaceContext } from '../workspaces/api-keys.service';
import { CurrentWorkspace, SecretKeyGuard } from '../workspaces/workspace-auth.guards';
import { eventId, EventsRepository } from './events.repository';

const cursorSchema = z.tuple([z.number().int(), z.string()]);

const eventsQuery = z.object({
  from: z.iso
    .datetime({ offset: true })
    .transform((v) => new Date(v))
    .optional(),
  to: z.iso
    .datetime({ offset: true })
    .transform((v) => new Date(v))
    .optional(),
  type: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z
    .string()
    .transform((value, context) => {
      try {
        const [timestamp, id] = cursorSchema.parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
        return { timestamp: new Date(timestamp), id };
      } catch {
        context.addIssue({ code: 'custom', message: 'is not a cursor this API returned' });
        return z.NEVER;
      }
    })
    .optional(),
});

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
    const query = parseRequest(eventsQuery, rawQuery);
    const lead = await this.leads.findLead(workspace.workspaceId, id);
    const events = await this.events.find(workspace.workspaceId, {
      leadIds: [lead.id, ...(lead.mergedLeadIds ?? [])],
      ...(query.from && { from: query.from }),
      ...(query.to && { to: query.to }),
      ...(query.type && { eventType: query.type }),
      ...(query.cursor && { before: query.cursor }),
      limit: query.limit + 1,
    });
    const page = events.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor =
      events.length > query.limit && last
        ? Buffer.from(JSON.stringify([last.timestamp.getTime(), eventId(last.sourceId, last.messageId)])).toString(
            'base64url',
          )
        : null;
    return { leadId: lead.id, events: page, nextCursor };
  }

  @Get('failed-events')
  @ApiOperation({ summary: 'Refused events, newest first, with the reason each was refused' })
  async failedEvents(@CurrentWorkspace() workspace: WorkspaceContext, @Query() rawQuery: unknown) {
    const { limit } = parseRequest(
      z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      rawQuery,
    );
    return { failedEvents: await this.events.findFailed(workspace.workspaceId, limit) };
  }
}
