import { Body, Controller, Headers, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SmsInboundService } from './sms-inbound.service';

/** Twilio's messaging webhook: public, authenticated by X-Twilio-Signature. */
@Controller('v1/sms')
export class SmsInboundController {
  constructor(@Inject(SmsInboundService) private readonly inbound: SmsInboundService) {}

  @Post('inbound')
  @HttpCode(200)
  @ApiExcludeEndpoint()
  async receive(
    @Req() request: FastifyRequest,
    @Headers('x-twilio-signature') signature: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const twiml = await this.inbound.receive(request.url, signature, body);
    // Set on success only (not with @Header): an error answer is JSON, which Fastify
    // refuses to send under a text/xml content type.
    void reply.type('text/xml');
    return twiml;
  }
}
