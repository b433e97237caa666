import { Module } from '@nestjs/common';
import { MessagingModule } from '../messaging/messaging.module';
import { SelfCheckModule } from '../self-check/self-check.module';
import { TemporalWorkerService } from './temporal-worker.service';

/** Everything activities need, gathered for the worker process. */
@Module({
  imports: [SelfCheckModule, MessagingModule],
  providers: [TemporalWorkerService],
  exports: [TemporalWorkerService],
})
export class TemporalWorkerModule {}
