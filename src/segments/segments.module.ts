import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { LeadsModule } from '../leads/leads.module';
import { LeadSegmentsController } from './lead-segments.controller';
import { MembershipsRepository } from './memberships.repository';
import { SegmentMember, SegmentMemberSchema } from './segment-member.model';
import { Segment, SegmentSchema } from './segment.model';
import { SegmentsController } from './segments.controller';
import { SegmentsRepository } from './segments.repository';
import { SegmentsService } from './segments.service';

/** Segments: static lists and behavioral criteria (criteria/), over REST. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Segment.name, schema: SegmentSchema },
      { name: SegmentMember.name, schema: SegmentMemberSchema },
    ]),
    LeadsModule,
    WorkspacesModule,
  ],
  controllers: [SegmentsController, LeadSegmentsController],
  providers: [SegmentsRepository, MembershipsRepository, SegmentsService],
  exports: [SegmentsService],
})
export class SegmentsModule {}
