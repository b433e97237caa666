import {
  comparisonOperators,
  type ComparisonOperator,
  type ConditionOperator,
} from '../../../workflows/contracts/journey-definition';

/**
 * The segment criteria language: what a lead must have done, not done, or be, for a segment
 * to hold it. Plain JSON, as CRM teams author it (`dto/criteria.request.ts` validates it and
 * also accepts the product spec's `{ logicOperator, eventFilters, frequencyFilters }`).
 *
 * Time windows: `inLast` counts events from `now − duration` (included) to `now` (included);
 * `between` from `from` (included) to `to` (excluded). Events after `now` never count.
 */

export type DurationUnit = 'minutes' | 'hours' | 'days' | 'weeks';

export interface Duration {
  amount: number;
  unit: DurationUnit;
}

export type TimeWindow = { inLast: Duration } | { between: { from: string; to: string } };

/** A condition on an event's property (`formId equals quote`), with the journeys' operators. */
export interface PropertyCondition {
  property: string;
  operator: ConditionOperator;
  value?: unknown;
}

/** Which events count: one type or any of several, each event meeting every `where`. */
export interface EventFilter {
  event: string | string[];
  where?: PropertyCondition[];
}

export { comparisonOperators, type ComparisonOperator };

export const aggregateFunctions = ['count', 'sum', 'avg', 'min', 'max'] as const;
export type AggregateFunction = (typeof aggregateFunctions)[number];

export type Criteria =
  | { and: Criteria[] }
  | { or: Criteria[] }
  | { not: Criteria }
  /** At least `minCount` (1) and at most `maxCount` matching events in the window (all time if none). */
  | { performed: EventFilter & { window?: TimeWindow; minCount?: number; maxCount?: number } }
  /** No matching event in the window. */
  | { notPerformed: EventFilter & { window?: TimeWindow } }
  /** The steps in this order (each after the one before), the last within `within` of the first. */
  | { sequence: { steps: EventFilter[]; within: Duration; window?: TimeWindow } }
  /** The lead's first matching event ever falls in the window. */
  | { firstPerformed: EventFilter & { window: TimeWindow } }
  /** Did it during `activeFor` before the last `inactiveFor`, and not since. */
  | { stoppedPerforming: EventFilter & { activeFor: Duration; inactiveFor: Duration } }
  | { trait: { field: string; operator: ConditionOperator; value?: unknown } }
  | { score: { operator: ComparisonOperator; value: number } }
  /** `fn` of a numeric property over the matching events (count needs none), compared to `value`. */
  | {
      aggregate: EventFilter & {
        fn: AggregateFunction;
        property?: string;
        operator: ComparisonOperator;
        value: number;
        window?: TimeWindow;
      };
    };

/** One of the lead's events, as criteria read it. */
export interface CriteriaEvent {
  type: string;
  timestamp: Date;
  properties: Record<string, unknown>;
}

/** What criteria read about one lead. */
export interface CriteriaFacts {
  traits: Record<string, unknown>;
  /** The lead's score, when it has one. */
  score?: number;
  /** Its events, all that the criteria's windows reach (every one for firstPerformed), any order. */
  events: readonly CriteriaEvent[];
}

const UNIT_MS: Record<DurationUnit, number> = {
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 7 * 86_400_000,
};

export const durationMs = ({ amount, unit }: Duration): number => amount * UNIT_MS[unit];
