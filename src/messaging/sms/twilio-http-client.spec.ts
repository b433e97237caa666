import twilio from 'twilio';
import { OriginRewritingRequestClient, createTwilioClient } from './twilio-http-client';

const accountSid = `AC${'0'.repeat(32)}`;
const messageSid = `SM${'a'.repeat(32)}`;

// Stands in for the network: the SDK's RequestClient.request is where HTTP would start.
let transport: jest.SpyInstance;

beforeEach(() => {
  transport = jest
    .spyOn(twilio.RequestClient.prototype, 'request')
    .mockResolvedValue({ statusCode: 201, body: { sid: messageSid, status: 'queued' }, headers: {} });
});

afterEach(() => jest.restoreAllMocks());

describe('OriginRewritingRequestClient', () => {
  it('swaps the origin and keeps path, query and every other option', async () => {
    const sut = new OriginRewritingRequestClient('http://127.0.0.1:4010');

    await sut.request({
      method: 'post',
      uri: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?PageSize=2',
      username: 'AC1',
      password: 'secret',
      data: { To: '+15551234567' },
    });

    expect(transport).toHaveBeenCalledWith({
      method: 'post',
      uri: 'http://127.0.0.1:4010/2010-04-01/Accounts/AC1/Messages.json?PageSize=2',
      username: 'AC1',
      password: 'secret',
      data: { To: '+15551234567' },
    });
  });

  it('refuses a URL with a path, which it would otherwise drop', () => {
    expect(() => new OriginRewritingRequestClient('http://127.0.0.1:4010/twilio')).toThrow(/must be an origin/);
  });
});

describe('createTwilioClient', () => {
  it('sends the SDK calls to apiUrl when given', async () => {
    const sut = createTwilioClient({ accountSid, authToken: 'token', apiUrl: 'http://127.0.0.1:4010' });

    const message = await sut.messages.create({ to: '+15551234567', from: '+15005550006', body: 'hi' });

    expect(sut.httpClient).toBeInstanceOf(OriginRewritingRequestClient);
    expect(message.sid).toBe(messageSid);
    expect(transport).toHaveBeenCalledWith(
      expect.objectContaining({
        method: 'post',
        uri: `http://127.0.0.1:4010/2010-04-01/Accounts/${accountSid}/Messages.json`,
        username: accountSid,
        password: 'token',
        data: { To: '+15551234567', From: '+15005550006', Body: 'hi' },
      }),
    );
  });

  it('talks to real Twilio without apiUrl', async () => {
    const sut = createTwilioClient({ accountSid, authToken: 'token' });

    await sut.messages.create({ to: '+15551234567', from: '+15005550006', body: 'hi' });

    expect(sut.httpClient).not.toBeInstanceOf(OriginRewritingRequestClient);
    expect(transport).toHaveBeenCalledWith(
      expect.objectContaining({ uri: `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Messages.json` }),
    );
  });
});
