import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { JourneyRun, JourneyRunSchema } from './journey-run.model';
import { JourneyStepLog, JourneyStepLogSchema } from './journey-step-log.model';
import { JourneyExecutionsRepository } from './journey-executions.repository';
import { JourneyLogWriter } from './journey-log.writer';

/**
 * The journey execution log's storage and its writer: all the worker needs of it, without
 * the journeys module (its seed, its controllers) that the API's readers depend on.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: JourneyRun.name, schema: JourneyRunSchema },
      { name: JourneyStepLog.name, schema: JourneyStepLogSchema },
    ]),
  ],
  providers: [JourneyExecutionsRepository, JourneyLogWriter],
  exports: [JourneyExecutionsRepository, JourneyLogWriter],
})
export class JourneyLogModule {}
