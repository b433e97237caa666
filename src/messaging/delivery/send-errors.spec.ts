import twilio from 'twilio';
import { classifySendError, PermanentSendError } from './send-errors';
import { smsKeyword } from '../sms/sms-inbound.service';

const twilioError = (statusCode: number, code: number) =>
  new twilio.RestException({ statusCode, body: { code, message: `twilio ${code}` } });
const smtpError = (responseCode: number) => Object.assign(new Error('rejected'), { responseCode });

describe('classifySendError', () => {
  it.each([
    ['an SMTP 550 (no such mailbox)', smtpError(550), 'SMTP_REJECTED'],
    ['an SMTP 554 (rejected as spam)', smtpError(554), 'SMTP_REJECTED'],
    ['a Twilio 400 (21211 invalid number)', twilioError(400, 21211), 'TWILIO_REJECTED'],
  ])('makes %s permanent', (_case, error, code) => {
    const sut = classifySendError(error);

    expect(sut).toBeInstanceOf(PermanentSendError);
    expect(sut).toMatchObject({ code, permanent: true });
  });

  it.each([
    ['an SMTP 421 (try later)', smtpError(421)],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a Twilio 429', twilioError(429, 20429)],
    ['a Twilio 401 (credentials ops can fix)', twilioError(401, 20003)],
    ['a Twilio 503', twilioError(503, 20503)],
  ])('leaves %s to retries, unchanged', (_case, error) => {
    expect(classifySendError(error)).toBe(error);
  });
});

describe('smsKeyword', () => {
  it.each(['STOP', 'stop', ' Stop ', 'STOPALL', 'unsubscribe', 'CANCEL', 'End', 'QUIT'])(
    'reads %j as opt-out',
    (body) => {
      expect(smsKeyword(body)).toBe('opt-out');
    },
  );

  it.each(['START', 'unstop', 'Yes'])('reads %j as opt-in', (body) => {
    expect(smsKeyword(body)).toBe('opt-in');
  });

  it.each(['please stop texting me', 'STOP!', '', 'HELP'])('reads %j as no keyword', (body) => {
    expect(smsKeyword(body)).toBeUndefined();
  });
});
