import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { Segment, SegmentSchema } from './segment.model';
import { SegmentsController } from './segments.controller';
import { SegmentsRepository } from './segments.repository';
import { SegmentsService } from './segments.service';

/** Segments: static lists and behavioral criteria (criteria/), over REST. */
@Module({
  imports: [MongooseModule.forFeature([{ name: Segment.name, schema: SegmentSchema }]), WorkspacesModule],
  controllers: [SegmentsController],
  providers: [SegmentsRepository, SegmentsService],
  exports: [SegmentsService],
})
export class SegmentsModule {}
