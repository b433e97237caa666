import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';
import { AppError } from '../../common/app-error';
import { parseRequest } from '../../common/validation';
import { AppConfig, ConfigService } from '../../config/config.module';
import { LeadsService } from '../../leads/leads.service';
import { signUnsubscribeToken, UnsubscribeClaim, verifyUnsubscribeToken } from './unsubscribe-token';
import { CommonErrorCode } from '../../common/error-codes';

const querySchema = z.object({ token: z.string().min(1).max(1_000) });

/** Signed one-click unsubscribe links (RFC 8058) and what they do when followed. */
@Injectable()
export class UnsubscribeService {
  private readonly logger = new Logger(UnsubscribeService.name);
  private readonly secret: string;
  private readonly publicUrl: string;

  constructor(
    @Inject(LeadsService) private readonly leads: LeadsService,
    @Inject(ConfigService) config: AppConfig,
  ) {
    this.secret = config.get('UNSUBSCRIBE_SECRET', { infer: true });
    this.publicUrl = config.get('PUBLIC_URL', { infer: true }).replace(/\/+$/, '');
  }

  /** The link for List-Unsubscribe and the `{{unsubscribeUrl}}` of templates. */
  link(claim: UnsubscribeClaim): string {
    return `${this.publicUrl}/v1/unsubscribe?token=${signUnsubscribeToken(this.secret, claim)}`;
  }

  /**
   * The page a GET shows: a button that POSTs. A GET itself changes nothing, because link
   * scanners and mail previews follow every link in a message.
   */
  page(query: unknown): string {
    const { channel } = this.verify(query);
    return html(
      'Unsubscribe',
      `<p>Stop receiving ${CHANNEL_NAMES[channel]} from us?</p>
    <!-- No action: the form posts to this very URL, token included, wherever the API is mounted. -->
    <form method="post">
      <input type="hidden" name="List-Unsubscribe" value="One-Click" />
      <button type="submit">Unsubscribe</button>
    </form>`,
    );
  }

  /** The one-click POST (mail clients) or the page's button (people): opts the lead out. */
  async confirm(query: unknown): Promise<string> {
    const claim = this.verify(query);
    // A lead deleted since the message went out: nothing will be sent to it anyway.
    if (!(await this.leads.unsubscribe(claim.workspaceId, claim.leadId, claim.channel)))
      this.logger.warn(`unsubscribe for unknown lead ${claim.leadId} in ${claim.workspaceId}`);
    return html('Unsubscribed', `<p>You will not receive ${CHANNEL_NAMES[claim.channel]} from us anymore.</p>`);
  }

  private verify(query: unknown): UnsubscribeClaim {
    const { token } = parseRequest(querySchema, query);
    const claim = verifyUnsubscribeToken(this.secret, token);
    if (!claim) {
      throw new AppError(
        CommonErrorCode.ValidationFailed,
        HttpStatus.BAD_REQUEST,
        'token: is not a valid unsubscribe token',
      );
    }
    return claim;
  }
}

const CHANNEL_NAMES = { email: 'emails', sms: 'text messages' } as const;

function html(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex" />
    <title>${title}</title>
  </head>
  <body style="font-family: Arial, Helvetica, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem">
    <h1>${title}</h1>
    ${body}
  </body>
</html>
`;
}
