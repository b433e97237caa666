import { Controller, Get, Header, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { UnsubscribeService } from './unsubscribe.service';

/** Public: the signed token is the authorization. */
@ApiTags('messaging')
@Controller('v1/unsubscribe')
@ApiQuery({ name: 'token', description: 'The signed token from the message' })
export class UnsubscribeController {
  constructor(@Inject(UnsubscribeService) private readonly unsubscribe: UnsubscribeService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  // The token in the URL must not leak to anything the page links to.
  @Header('Referrer-Policy', 'no-referrer')
  @ApiOperation({ summary: 'Confirmation page with a button that unsubscribes; following the link changes nothing' })
  page(@Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return asHtml(reply, this.unsubscribe.page(query));
  }

  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  @ApiOperation({ summary: 'One-click unsubscribe (RFC 8058 `List-Unsubscribe=One-Click`, or the page button)' })
  async confirm(@Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return asHtml(reply, await this.unsubscribe.confirm(query));
  }
}

// Set on success only (not with @Header): an error answer is JSON, and Fastify refuses to
// send an object under a text/html content type.
function asHtml(reply: FastifyReply, page: string): string {
  void reply.type('text/html; charset=utf-8');
  return page;
}
