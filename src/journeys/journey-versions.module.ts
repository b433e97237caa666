import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { JourneyVersion, JourneyVersionSchema } from './journey-version.model';
import { JourneyVersionsReader } from './journey-versions.reader';

/**
 * Published journey versions: their model (for JourneysModule, which publishes them) and the
 * reader the worker loads a run's definition through, without the rest of JourneysModule.
 */
@Module({
  imports: [MongooseModule.forFeature([{ name: JourneyVersion.name, schema: JourneyVersionSchema }])],
  providers: [JourneyVersionsReader],
  exports: [MongooseModule, JourneyVersionsReader],
})
export class JourneyVersionsModule {}
