import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { LeadsModule } from '../leads/leads.module';
import { EventsModule } from '../events/events.module';
import { ActiveSegmentsCache } from './evaluation/active-segments.cache';
import { SegmentChangeEvents } from './evaluation/segment-change-events';
import { SegmentEvaluator } from './evaluation/segment-evaluator';
import { SegmentMembershipListener } from './evaluation/segment-membership.listener';
import { SegmentPreview } from './preview/segment-preview';
import { SegmentAnalytics } from './analytics/segment-analytics';
import { SegmentRecalculator } from './recalculation/segment-recalculator';
import { SegmentSchedules } from './recalculation/segment-schedules';
import { LeadSegmentsController } from './lead-segments.controller';
import { MembershipsRepository } from './memberships.repository';
import { SegmentMember, SegmentMemberSchema } from './segment-member.model';
import { Segment, SegmentSchema } from './segment.model';
import { SegmentsController } from './segments.controller';
import { SegmentsRepository } from './segments.repository';
import { SegmentsService } from './segments.service';
import { StaticMembers } from './static/static-members';
import { SegmentTemplatesController } from './templates/segment-templates.controller';

/**
 * Segments: static lists and criteria (criteria/), over REST; membership evaluated in real
 * time after each batch (evaluation/) and recalculated on a Temporal Schedule (recalculation/).
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Segment.name, schema: SegmentSchema },
      { name: SegmentMember.name, schema: SegmentMemberSchema },
    ]),
    LeadsModule,
    EventsModule,
    WorkspacesModule,
  ],
  controllers: [SegmentsController, LeadSegmentsController, SegmentTemplatesController],
  providers: [
    SegmentsRepository,
    MembershipsRepository,
    SegmentsService,
    ActiveSegmentsCache,
    SegmentChangeEvents,
    SegmentEvaluator,
    SegmentPreview,
    SegmentAnalytics,
    SegmentMembershipListener,
    SegmentRecalculator,
    SegmentSchedules,
    StaticMembers,
  ],
  exports: [SegmentsService, SegmentRecalculator, SegmentSchedules],
})
export class SegmentsModule {}
