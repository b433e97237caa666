import { validateEnv } from './env.schema';

describe('validateEnv', () => {
  it('fills every default from an empty environment, matching the local stack', () => {
    const sut = validateEnv({});

    expect(sut).toMatchObject({
      PORT: 3000,
      MONGODB_URI: 'mongodb://127.0.0.1:27017/nudge',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_TASK_QUEUE: 'nudge',
      SMTP_URL: 'smtp://127.0.0.1:1025',
    });
    expect(sut.TWILIO_API_URL).toBeUndefined();
  });

  it('coerces numbers from strings', () => {
    expect(validateEnv({ PORT: '8080' }).PORT).toBe(8080);
  });

  it('names every wrong variable in one error', () => {
    const attempt = () =>
      validateEnv({
        PORT: 'eighty',
        MONGODB_URI: 'postgres://db',
        TEMPORAL_ADDRESS: 'no-port',
        TWILIO_API_URL: 'not a url',
      });

    expect(attempt).toThrow(/Invalid configuration/);
    expect(attempt).toThrow(/PORT: /);
    expect(attempt).toThrow(/MONGODB_URI: must start with mongodb:\/\//);
    expect(attempt).toThrow(/TEMPORAL_ADDRESS: must be host:port/);
    expect(attempt).toThrow(/TWILIO_API_URL: /);
  });

  it('accepts a twilio account sid only in its real shape', () => {
    expect(() => validateEnv({ TWILIO_ACCOUNT_SID: 'AC123' })).toThrow(
      /TWILIO_ACCOUNT_SID: must be AC followed by 32 hex digits/,
    );
    expect(validateEnv({ TWILIO_ACCOUNT_SID: `AC${'ab'.repeat(16)}` }).TWILIO_ACCOUNT_SID).toBe(`AC${'ab'.repeat(16)}`);
  });

  it('refuses the public default UNSUBSCRIBE_SECRET in production, and only there', () => {
    expect(() => validateEnv({ NODE_ENV: 'production' })).toThrow(
      /Invalid configuration:\n {2}UNSUBSCRIBE_SECRET: must be set in production/,
    );
    expect(validateEnv({ NODE_ENV: 'development' }).UNSUBSCRIBE_SECRET).toBe('dev-unsubscribe-secret-change-me');
    expect(
      validateEnv({ NODE_ENV: 'production', UNSUBSCRIBE_SECRET: 'a-long-random-production-secret' }).UNSUBSCRIBE_SECRET,
    ).toBe('a-long-random-production-secret');
  });

  it('logs JSON unless told otherwise, and refuses pretty logs in production (pino-pretty is not there)', () => {
    const production = { NODE_ENV: 'production', UNSUBSCRIBE_SECRET: 'a-long-random-production-secret' };

    expect(validateEnv({}).LOG_FORMAT).toBe('json');
    expect(validateEnv({ LOG_FORMAT: 'pretty' }).LOG_FORMAT).toBe('pretty');
    expect(validateEnv(production).LOG_FORMAT).toBe('json');
    expect(() => validateEnv({ ...production, LOG_FORMAT: 'pretty' })).toThrow(
      /LOG_FORMAT: pretty is for development only/,
    );
    expect(() => validateEnv({ LOG_FORMAT: 'colour' })).toThrow(/LOG_FORMAT: /);
  });
});
