import { Injectable } from '@nestjs/common';
import { EventsRepository } from '../../events/events.repository';
import { EXPOSURE_EVENT } from '../assignment/experiment-assignments.service';
import type { Metric } from '../experiment.model';
import type { ExperimentRecord } from '../experiments.repository';
import { analyseExperiment, MetricSample, VariantSample } from './analyse-experiment';

const HOUR = 3_600_000;

interface Exposure {
  first: Date;
  variants: Set<string>;
}

/**
 * An experiment's results from its events: each lead's first `experiment_viewed` (Nudge's own
 * or one an SDK sent with the same properties) and, for every metric, the lead's events from
 * then on. Leads seen in more than one variant are left out and counted.
 */
@Injectable()
export class ExperimentResults {
  constructor(private readonly events: EventsRepository) {}

  async results(workspaceId: string, experiment: ExperimentRecord, now = new Date()) {
    const exposures = await this.exposures(workspaceId, experiment.id);
    const excluded = [...exposures.values()].filter((exposure) => exposure.variants.size > 1).length;
    const byLead = new Map<string, { variantId: string; first: Date }>();
    for (const [leadId, { first, variants }] of exposures)
      if (variants.size === 1) byLead.set(leadId, { variantId: [...variants][0], first });
    const metrics = [experiment.primaryMetric, ...experiment.guardrailMetrics];
    const values = await this.metricValues(workspaceId, metrics, byLead);
    const samples: VariantSample[] = experiment.variants.map((variant) => ({
      id: variant.id,
      name: variant.name,
      weight: variant.weight,
      isControl: variant.isControl,
      exposures: 0,
      metrics: Object.fromEntries(metrics.map((metric) => [metric.id, { n: 0, sum: 0, sumSquares: 0 }])),
    }));
    const sampleOf = new Map(samples.map((sample) => [sample.id, sample]));
    for (const [leadId, { variantId }] of byLead) {
      const sample = sampleOf.get(variantId);
      if (!sample) continue; // a variant an SDK reported that the experiment does not have
      sample.exposures++;
      for (const metric of metrics) add(sample.metrics[metric.id], values.get(metric.id)?.get(leadId) ?? 0);
    }
    const analysis = analyseExperiment({
      metrics: { primary: experiment.primaryMetric, guardrails: experiment.guardrailMetrics },
      variants: samples,
      settings: experiment.settings,
    });
    return {
      experimentId: experiment.id,
      status: experiment.status,
      at: now,
      exposedLeads: byLead.size,
      excludedLeads: excluded,
      ...(experiment.winnerVariantId && { winnerVariantId: experiment.winnerVariantId }),
      ...analysis,
    };
  }

  private async exposures(workspaceId: string, experimentId: string): Promise<Map<string, Exposure>> {
    const exposures = new Map<string, Exposure>();
    const cursor = this.events.eventsWhere(workspaceId, {
      types: [EXPOSURE_EVENT],
      equals: { experimentId },
      properties: ['variantId'],
    });
    for await (const event of cursor) {
      const variantId = event.properties.variantId;
      if (typeof variantId !== 'string') continue;
      const exposure = exposures.get(event.leadId);
      if (!exposure) exposures.set(event.leadId, { first: event.timestamp, variants: new Set([variantId]) });
      else {
        exposure.variants.add(variantId);
        if (event.timestamp < exposure.first) exposure.first = event.timestamp;
      }
    }
    return exposures;
  }

  /** Each metric's value per exposed lead, from its events at or after its first exposure. */
  private async metricValues(
    workspaceId: string,
    metrics: readonly Metric[],
    leads: Map<string, { first: Date }>,
  ): Promise<Map<string, Map<string, number>>> {
    const values = new Map(metrics.map((metric) => [metric.id, new Map<string, number>()]));
    if (!leads.size) return values;
    // A loop, not Math.min(...): a spread of 100,000s of values overflows the stack.
    let since = Infinity;
    for (const { first } of leads.values()) since = Math.min(since, first.getTime());
    const types = [...new Set(metrics.map((metric) => metric.event))];
    const properties = [...new Set(metrics.flatMap((metric) => (metric.property ? [metric.property] : [])))];
    for await (const event of this.events.eventsOfTypes(workspaceId, types, new Date(since), properties)) {
      const lead = leads.get(event.leadId);
      if (!lead || event.timestamp < lead.first) continue;
      for (const metric of metrics) {
        if (metric.event !== event.type) continue;
        const byLead = values.get(metric.id)!;
        const before = byLead.get(event.leadId) ?? 0;
        if (metric.kind === 'conversion') {
          const inWindow =
            !metric.windowHours || event.timestamp.getTime() - lead.first.getTime() <= metric.windowHours * HOUR;
          if (inWindow) byLead.set(event.leadId, 1);
        } else if (metric.kind === 'count') byLead.set(event.leadId, before + 1);
        else byLead.set(event.leadId, before + numberAt(event.properties, metric.property!));
      }
    }
    return values;
  }
}

function add(sample: MetricSample, value: number) {
  sample.n++;
  sample.sum += value;
  sample.sumSquares += value * value;
}

function numberAt(properties: Record<string, unknown>, path: string): number {
  const value = path
    .split('.')
    .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], properties);
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
