import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { SelfCheckController } from './self-check.controller';
import { SelfCheckRepository } from './self-check.repository';
import { SelfCheck, SelfCheckSchema } from './self-check.model';
import { SelfCheckService } from './self-check.service';

@Module({
  imports: [MongooseModule.forFeature([{ name: SelfCheck.name, schema: SelfCheckSchema }])],
  controllers: [SelfCheckController],
  providers: [SelfCheckService, SelfCheckRepository],
  exports: [SelfCheckService],
})
export class SelfCheckModule {}
