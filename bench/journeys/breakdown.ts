import { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { leadWorkflowId } from '../../workflows/contracts/lead.contract';
import { runClosedLoop } from '../lib/load';
import { median } from '../lib/stats';

/**
 * Where an email's time went: for every timed lead, the moments its Temporal histories
 * record (server clock, same machine as the bench's), as ms since its request was due;
 * the median of each across leads. Diagnostic only: the headline is the end-to-end figure.
 */

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** One timed email: when it was due and answered, and when the sink accepted it (wall clock, ms). */
export interface TimedEmail {
  /** The Nudge lead id, or the baseline's workflow id. */
  id: string;
  dueWall: number;
  answeredWall: number;
  acceptedWall: number;
}

/** Median ms since the request was due, per milestone, in the order they happen. */
export type Milestones = Array<{ name: string; medianMs: number }>;

export interface Breakdown {
  milestones: Milestones;
  /** Median events in the workflow histories behind one email (Nudge: the lead's and its journey run's, whole). */
  historyEvents: number;
}

type FromHistories = (email: TimedEmail) => Promise<{ times: Array<[string, number]>; events: number }>;

export async function nudgeBreakdown(client: Client, emails: readonly TimedEmail[]): Promise<Breakdown> {
  return milestones(emails, 'HTTP 200', async (email) => {
    const lead = await historyOf(client, leadWorkflowId(email.id));
    const childId = find(lead, (e) => e.startChildWorkflowExecutionInitiatedEventAttributes)?.attributes.workflowId;
    if (!childId) throw new Error(`the lead workflow of ${email.id} started no journey run`);
    const run = await historyOf(client, childId);
    const times: Array<[string, number]> = [
      ['signal in Temporal (lead workflow started)', timeOf(lead, (e) => e.workflowExecutionStartedEventAttributes)],
      ['lead workflow task picked up', timeOf(lead, (e) => e.workflowTaskStartedEventAttributes)],
      ['journey run started', timeOf(run, (e) => e.workflowExecutionStartedEventAttributes)],
      ['journey run task picked up', timeOf(run, (e) => e.workflowTaskStartedEventAttributes)],
      ...activitiesBefore(run, 'sendEmail'),
      ...activityTimes(run, 'sendEmail'),
    ];
    return { times, events: lead.length + run.length };
  });
}

export async function baselineBreakdown(client: Client, emails: readonly TimedEmail[]): Promise<Breakdown> {
  return milestones(emails, 'start answered', async (email) => {
    const history = await historyOf(client, email.id);
    const times: Array<[string, number]> = [
      ['workflow started', timeOf(history, (e) => e.workflowExecutionStartedEventAttributes)],
      ['workflow task picked up', timeOf(history, (e) => e.workflowTaskStartedEventAttributes)],
      ...activityTimes(history, 'sendBaselineEmail'),
    ];
    return { times, events: history.length };
  });
}

async function milestones(
  emails: readonly TimedEmail[],
  answered: string,
  fromHistories: FromHistories,
): Promise<Breakdown> {
  const since = new Map<string, number[]>();
  const events: number[] = [];
  await runClosedLoop(emails, 8, async (email) => {
    const { times, events: count } = await fromHistories(email);
    events.push(count);
    const all: Array<[string, number]> = [
      [answered, email.answeredWall],
      ...times,
      ['SMTP accepted', email.acceptedWall],
    ];
    for (const [name, wall] of all) since.set(name, [...(since.get(name) ?? []), wall - email.dueWall]);
  });
  // In the order they happen, which is the order of their medians.
  const milestones = [...since.entries()]
    .map(([name, samples]) => ({ name, medianMs: median(samples) }))
    .sort((a, b) => a.medianMs - b.medianMs);
  return { milestones, historyEvents: median(events) };
}

/** When the activity of `type` was scheduled and when a worker picked it up (its last attempt). */
function activityTimes(history: HistoryEvent[], type: string): Array<[string, number]> {
  const scheduled = history.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type);
  if (!scheduled) throw new Error(`no ${type} activity in the history`);
  const started = history.find(
    (e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId ?? -1) === Number(scheduled.eventId),
  );
  if (!started) throw new Error(`the ${type} activity never started`);
  return [
    [`${type} scheduled`, wallOf(scheduled)],
    [`${type} picked up`, wallOf(started)],
  ];
}

/**
 * When each activity before the first `type` (the run's bookkeeping) was scheduled, which
 * ends the workflow task that decided it, and when it completed.
 */
function activitiesBefore(history: HistoryEvent[], type: string): Array<[string, number]> {
  const types = new Map<number, string>();
  const times: Array<[string, number]> = [];
  for (const event of history) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    const name = scheduled?.activityType?.name ?? '?';
    if (scheduled && name === type) break;
    if (scheduled) {
      types.set(Number(event.eventId), name);
      times.push([`${name} scheduled`, wallOf(event)]);
    }
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed) times.push([`${types.get(Number(completed.scheduledEventId)) ?? '?'} done`, wallOf(event)]);
  }
  return times;
}

async function historyOf(client: Client, workflowId: string): Promise<HistoryEvent[]> {
  return (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

function find<A>(
  history: HistoryEvent[],
  attributes: (event: HistoryEvent) => A | null | undefined,
): { event: HistoryEvent; attributes: A } | undefined {
  for (const event of history) {
    const found = attributes(event);
    if (found) return { event, attributes: found };
  }
  return undefined;
}

function timeOf(history: HistoryEvent[], attributes: (event: HistoryEvent) => unknown): number {
  const found = find(history, attributes);
  if (!found) throw new Error('an expected event is missing from a history');
  return wallOf(found.event);
}

/** An event's server time, in ms since the epoch (protobuf seconds may be a Long). */
function wallOf(event: HistoryEvent): number {
  const seconds = Number(event.eventTime?.seconds ?? NaN);
  return seconds * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;
}
