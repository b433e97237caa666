import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { AppConfig, ConfigService } from '../../config/config.module';

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers?: Record<string, string>;
  /**
   * A stable Message-ID (`<key@domain>`): a retried send carries the same id, so the
   * receiving side and our own log can tell a retry from a second message.
   */
  messageId?: string;
}

export interface SentEmail {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

/** Sends email through the configured SMTP relay (MailDev locally, any relay in production). */
@Injectable()
export class EmailService implements OnApplicationShutdown {
  private readonly transport: Transporter;
  private readonly from: string;

  constructor(@Inject(ConfigService) config: AppConfig) {
    this.transport = createTransport(config.get('SMTP_URL', { infer: true }));
    this.from = config.get('MAIL_FROM', { infer: true });
  }

  async send(email: OutgoingEmail): Promise<SentEmail> {
    const info = await this.transport.sendMail({ from: this.from, ...email });
    return {
      messageId: info.messageId,
      accepted: info.accepted.map(String),
      rejected: info.rejected.map(String),
    };
  }

  // Not onModuleDestroy: the worker drains in-flight sends in beforeApplicationShutdown first.
  onApplicationShutdown(): void {
    this.transport.close();
  }
}
