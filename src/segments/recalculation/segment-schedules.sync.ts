import { Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { SegmentsModule } from '../segments.module';
import { SegmentSchedules } from './segment-schedules';

/**
 * Brings every segment's Schedule in step at API start. Its own module, which only the API
 * loads: the worker loads SegmentsModule too, and one process doing this is enough.
 */
@Injectable()
export class SegmentSchedulesSync implements OnApplicationBootstrap {
  private readonly logger = new Logger(SegmentSchedulesSync.name);

  constructor(private readonly schedules: SegmentSchedules) {}

  onApplicationBootstrap(): void {
    // In the background: the API answers while Temporal is still starting.
    void this.schedules
      .syncAll()
      .catch((error) =>
        this.logger.warn({ err: error }, 'segment schedules not synced at start; the next change of each syncs it'),
      );
  }
}

@Module({ imports: [SegmentsModule], providers: [SegmentSchedulesSync] })
export class SegmentSchedulesSyncModule {}
