import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { EventStore, LeadsService } from '../leads/leads.service';
import { LeadActivity } from '../leads/rollups';
import { SessionStep } from '../leads/sessions';
import { WorkspaceContext } from '../workspaces/api-keys.service';
import { EventRecord, eventId, EventsRepository } from './events.repository';
import { IngestionDispatcher } from './ingestion-dispatcher';
import { MessageType } from './dto/message.request';
import { Envelope, PreparedMessage, prepareMessage, Rejection, RequestInfo } from './prepare-message';
import { EventErrorCode } from './event-errors';

export const MAX_BATCH_EVENTS = 2_500;

/** The source of the events Nudge records itself (see recordOnLeads). */
export const NUDGE_SOURCE_ID = 'nudge';

export interface IngestResult {
  success: true;
  /** Events stored by this request or, for a retried one, already stored before. */
  accepted: number;
  duplicates: number;
  /** Refused items, each with the status the item alone would have got. */
  rejected: Array<{ index: number; messageId?: string; reason: string; status: number }>;
}

/**
 * The ingestion hot path, in a fixed number of round trips per batch whatever its size:
 * identity lookups (cached), one unordered `insertMany`, one `bulkWrite` of lead rollups.
 * Events are stored before any counter moves, so a crash loses no event. Stored events then
 * go to the IngestionDispatcher's listeners (journeys' trigger listener: the hand-off to
 * Temporal) before the client is answered.
 */
@Injectable()
export class IngestionService {
  private readonly logger = new Logger(IngestionService.name);

  constructor(
    private readonly leads: LeadsService,
    private readonly events: EventsRepository,
    private readonly dispatcher: IngestionDispatcher,
  ) {}

  async ingest(
    workspace: WorkspaceContext,
    items: readonly unknown[],
    envelope: Envelope,
    request: RequestInfo,
    forcedType?: MessageType,
  ): Promise<IngestResult> {
    if (items.length > MAX_BATCH_EVENTS) {
      throw new AppError(
        EventErrorCode.BatchTooLarge,
        HttpStatus.BAD_REQUEST,
        `batch: has ${items.length} events; the limit is ${MAX_BATCH_EVENTS} per batch`,
      );
    }
    const rejections = new Map<number, Rejection>();
    const valid: Array<{ index: number; message: PreparedMessage }> = [];
    items.forEach((raw, index) => {
      const prepared = prepareMessage(raw, envelope, request, forcedType);
      if ('rejection' in prepared) rejections.set(index, prepared.rejection);
      else valid.push({ index, message: prepared.message });
    });

    const resolutions = await this.leads.resolve(
      workspace.workspaceId,
      valid.map(({ message }) => message),
      request.receivedAt,
    );
    const accepted: Array<{ message: PreparedMessage; leadId: string }> = [];
    valid.forEach(({ index, message }, i) => {
      const resolution = resolutions[i];
      if ('leadId' in resolution) accepted.push({ message, leadId: resolution.leadId });
      else
        rejections.set(index, {
          reason: resolution.rejected,
          status: 400,
          kind: 'invalid',
          messageId: message.messageId,
        });
    });

    const stored = await this.store(workspace, accepted, request.receivedAt);
    await this.keepRejected(workspace, items, rejections, request.receivedAt);
    await this.dispatch(workspace, stored.records, stored.inserted);

    const duplicates = stored.inserted.filter((isNew) => !isNew).length;
    return {
      success: true,
      accepted: stored.records.length,
      duplicates,
      rejected: [...rejections].map(([index, { messageId, reason, status }]) => ({
        index,
        ...(messageId && { messageId }),
        reason,
        status,
      })),
    };
  }

  /**
   * Events Nudge itself records on leads it knows by id (segments' `segment_entered` and
   * `segment_exited`): validated, stored, rolled up and handed on like a client's, so
   * journeys start on them. Each message carries its own messageId, which makes recording it
   * twice store it once. Throws if any is invalid: these messages are Nudge's own.
   */
  async recordOnLeads(
    workspaceId: string,
    items: ReadonlyArray<{ leadId: string; message: Record<string, unknown> }>,
    receivedAt: Date,
  ): Promise<void> {
    const workspace: WorkspaceContext = { workspaceId, sourceId: NUDGE_SOURCE_ID };
    const accepted = items.map(({ leadId, message }) => {
      // The identity only passes validation: the lead is known, so it is not resolved (nor stored).
      const prepared = prepareMessage({ ...message, anonymousId: leadId }, {}, { receivedAt, ip: '127.0.0.1' });
      if ('rejection' in prepared) throw new Error(`Nudge's own event is invalid: ${prepared.rejection.reason}`);
      const { anonymousId: _resolved, ...fields } = prepared.message;
      return { message: fields, leadId };
    });
    const stored = await this.store(workspace, accepted, receivedAt);
    await this.dispatch(workspace, stored.records, stored.inserted);
  }

  /** Stores accepted events and rolls them up on their leads; answers the records and which were new. */
  private async store(
    workspace: WorkspaceContext,
    accepted: ReadonlyArray<{ message: PreparedMessage; leadId: string }>,
    receivedAt: Date,
  ): Promise<{ records: EventRecord[]; inserted: boolean[] }> {
    let records: EventRecord[] = [];
    let inserted: boolean[] = [];
    const store: EventStore = {
      store: async (placed) => {
        records = accepted.map(({ message, leadId }, i) => toRecord(workspace, message, leadId, placed[i]));
        inserted = await this.events.insertNew(records);
        return inserted;
      },
      rollupKeysOf: (eventIds) => this.events.findRollupKeys(workspace.workspaceId, eventIds),
      activitiesOf: async (rollups) =>
        (await this.events.findByRollups(workspace.workspaceId, rollups)).map((event) => ({
          ...toActivity({ ...event, clientSessionId: event.sessionId }, event.id, event.leadId),
          rollupKey: event.rollupKey!,
          storedSessionId: event.sessionId,
        })),
      moveToSessions: (moves) => this.events.setSessionIds(moves),
    };
    await this.leads.record(
      workspace.workspaceId,
      accepted.map(({ message, leadId }) =>
        toActivity(message, eventId(workspace.sourceId, message.messageId), leadId),
      ),
      receivedAt,
      store,
    );
    return { records, inserted };
  }

  /** A single-event endpoint: the event is stored, or the request fails with its reason. */
  async ingestOne(
    workspace: WorkspaceContext,
    item: unknown,
    request: RequestInfo,
    type?: MessageType,
  ): Promise<IngestResult> {
    const result = await this.ingest(workspace, [item], {}, request, type);
    const rejection = result.rejected[0];
    if (rejection) {
      const code = rejection.status === 413 ? EventErrorCode.EventTooLarge : EventErrorCode.InvalidEvent;
      throw new AppError(code, rejection.status, rejection.reason);
    }
    return result;
  }

  /** Every refused message goes to `failed_events` with its reason, so none vanishes. */
  private async keepRejected(
    workspace: WorkspaceContext,
    items: readonly unknown[],
    rejections: ReadonlyMap<number, Rejection>,
    receivedAt: Date,
  ): Promise<void> {
    const entries = [...rejections];
    await this.events.insertFailed(
      entries.map(([, rejection]) => ({
        workspaceId: workspace.workspaceId,
        sourceId: workspace.sourceId,
        ...(rejection.messageId && { messageId: rejection.messageId }),
        reason: rejection.reason,
        kind: rejection.kind,
        receivedAt,
      })),
      entries.map(([index]) => items[index]),
    );
  }

  private async dispatch(workspace: WorkspaceContext, records: EventRecord[], inserted: boolean[]): Promise<void> {
    try {
      await this.dispatcher.dispatch({
        workspaceId: workspace.workspaceId,
        events: records.map((record, i) => ({ ...record, duplicate: !inserted[i] })),
      });
    } catch (error) {
      this.logger.error({ err: error }, 'an ingestion listener failed');
      throw new AppError(
        EventErrorCode.DispatchFailed,
        HttpStatus.SERVICE_UNAVAILABLE,
        'events were stored but could not be handed on; retry the request (stored events are not duplicated)',
      );
    }
  }
}

function toRecord(
  workspace: WorkspaceContext,
  message: PreparedMessage,
  leadId: string,
  placed: { session?: SessionStep; rollupKey: string },
): EventRecord {
  const { clientSessionId, ...fields } = message;
  return {
    ...fields,
    workspaceId: workspace.workspaceId,
    sourceId: workspace.sourceId,
    leadId,
    ...(placed.session && { sessionId: placed.session.sessionId }),
    rollupKey: placed.rollupKey,
  };
}

type ActivitySource = Pick<
  PreparedMessage,
  | 'type'
  | 'timestamp'
  | 'receivedAt'
  | 'eventType'
  | 'value'
  | 'userId'
  | 'anonymousId'
  | 'traits'
  | 'groupId'
  | 'clientSessionId'
>;

/** What an event adds to its lead; from an incoming message, or a stored event whose rollup was lost. */
function toActivity(message: ActivitySource, eventId: string, leadId: string): LeadActivity {
  return {
    eventId,
    leadId,
    timestamp: message.timestamp,
    receivedAt: message.receivedAt,
    ...(message.eventType && { eventType: message.eventType }),
    ...(message.value !== undefined && { value: message.value }),
    ...(message.userId && { userId: message.userId }),
    ...(message.anonymousId && { anonymousId: message.anonymousId }),
    ...(message.type === 'identify' && message.traits && { traits: message.traits }),
    ...(message.type === 'group' && { group: { id: message.groupId!, traits: message.traits ?? {} } }),
    ...(message.clientSessionId && { clientSessionId: message.clientSessionId }),
  };
}
