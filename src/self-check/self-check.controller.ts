import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SelfCheckService } from './self-check.service';

@ApiTags('ops')
@Controller('ops')
export class SelfCheckController {
  constructor(private readonly selfCheck: SelfCheckService) {}

  @Post('self-check')
  @HttpCode(200)
  @ApiOperation({ summary: 'Round trip API → Temporal → worker → MongoDB; 504 if no worker answers' })
  run() {
    return this.selfCheck.run();
  }
}
