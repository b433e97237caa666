import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AppConfig, ConfigService } from '../config/config.module';

/** The one MongoDB connection, shared by every feature module's repositories. */
@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: AppConfig) => ({
        uri: config.get('MONGODB_URI', { infer: true }),
        // Fail a query in seconds rather than hang a request when the database is down.
        serverSelectionTimeoutMS: 5_000,
      }),
    }),
  ],
})
export class DatabaseModule {}
