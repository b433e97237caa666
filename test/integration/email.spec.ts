import { ConfigService } from '@nestjs/config';
import { validateEnv } from '../../src/config/env.schema';
import { EmailService } from '../../src/messaging/email/email.service';
import { SmtpSink, startSmtpSink } from '../support/smtp';

describe('EmailService with a real SMTP server', () => {
  let smtp: SmtpSink;
  let sut: EmailService;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    const env = validateEnv({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_FROM: 'Nudge <hello@nudge.test>' });
    sut = new EmailService(new ConfigService(env) as never);
  });

  afterAll(async () => {
    sut.onApplicationShutdown();
    await smtp.close();
  });

  it('delivers the message, its parts and headers to the server', async () => {
    const sent = await sut.send({
      to: 'lead@example.com',
      subject: 'You left your quote half-way',
      html: '<p>Pick up where you left off</p>',
      text: 'Pick up where you left off',
      headers: { 'List-Unsubscribe': '<https://nudge.test/u/abc>' },
      messageId: '<journey-1.step-2@nudge.test>',
    });

    expect(sent.accepted).toEqual(['lead@example.com']);
    expect(sent.messageId).toBe('<journey-1.step-2@nudge.test>');
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail.from).toBe('hello@nudge.test');
    expect(mail.to).toEqual(['lead@example.com']);
    expect(mail.raw).toMatch(/^Subject: You left your quote half-way$/m);
    expect(mail.raw).toMatch(/^List-Unsubscribe: <https:\/\/nudge.test\/u\/abc>$/m);
    expect(mail.raw).toMatch(/^Message-ID: <journey-1.step-2@nudge.test>$/im);
    expect(mail.raw).toContain('Content-Type: text/plain');
    expect(mail.raw).toContain('<p>Pick up where you left off</p>');
  });

  it('rejects when the SMTP server is unreachable', async () => {
    const env = validateEnv({ SMTP_URL: 'smtp://127.0.0.1:1' });
    const unreachable = new EmailService(new ConfigService(env) as never);

    await expect(unreachable.send({ to: 'a@b.c', subject: 's', html: 'h', text: 't' })).rejects.toThrow(/ECONNREFUSED/);
    unreachable.onApplicationShutdown();
  });
});
