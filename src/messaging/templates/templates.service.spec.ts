import { ConfigService } from '@nestjs/config';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEnv } from '../../config/env.schema';
import { defaultTemplatesDir, TemplateContext, TemplateNotFoundError, TemplatesService } from './templates.service';

const context = (overrides: Partial<TemplateContext> = {}): TemplateContext => ({
  lead: { id: 'lead_1', traits: { firstName: 'Ann & <Bo>' }, tags: [] },
  journey: { id: 'form-abandonment-recovery', version: 1 },
  step: { id: 'recovery-email' },
  unsubscribeUrl: 'https://nudge.test/v1/unsubscribe?token=abc.def',
  ...overrides,
});

const serviceFor = (templatesDir?: string) =>
  new TemplatesService(new ConfigService(validateEnv(templatesDir ? { TEMPLATES_DIR: templatesDir } : {})) as never);

describe('TemplatesService with the shipped templates', () => {
  const sut = serviceFor();

  it('finds templates/ at the repository root by default', () => {
    expect(sut.directory).toBe(join(__dirname, '..', '..', '..', 'templates'));
  });

  it('renders form-abandon-recovery: subject, greeting, quote link and unsubscribe link', async () => {
    const email = await sut.render(
      'email',
      'form-abandon-recovery',
      context({
        lead: { id: 'lead_1', traits: { firstName: 'Ann', quoteUrl: 'https://acme.test/quote' }, tags: [] },
        trigger: { type: 'form_abandon', properties: { formId: 'auto-quote', formCompletion: 60 } },
      }),
    );

    expect(email.subject).toBe('Complete Your Quote');
    expect(email.html).toContain('Hi Ann,');
    expect(email.html).toContain('href="https://acme.test/quote#auto-quote"');
    expect(email.html).toContain('href="https://nudge.test/v1/unsubscribe?token&#x3D;abc.def"');
    expect(email.text).toContain('Hi Ann,');
    expect(email.text).toContain('Complete your quote: https://acme.test/quote#auto-quote');
    expect(email.text).toContain('Unsubscribe: https://nudge.test/v1/unsubscribe?token=abc.def');
  });

  it('escapes values in html only; text shows them as typed', async () => {
    const email = await sut.render('email', 'form-abandon-recovery', context());

    expect(email.html).toContain('Hi Ann &amp; &lt;Bo&gt;,');
    expect(email.text).toContain('Hi Ann & <Bo>,');
  });

  it('reads well without a first name or a link to go back to', async () => {
    const email = await sut.render(
      'email',
      'form-abandon-recovery',
      context({ lead: { id: 'l', traits: {}, tags: [] } }),
    );

    expect(email.html).toContain('Hi there,');
    expect(email.text).toMatch(/^Hi there,\n\n/);
    expect(email.text).toContain('Reply to this email and we will finish it with you.');
    expect(email.text).not.toMatch(/\n{3}/);
  });

  it('uses the subject a journey step gives, rendered with the same context', async () => {
    const email = await sut.render('email', 'form-abandon-recovery', context(), {
      subject: '{{lead.traits.firstName}}, finish\nyour quote',
    });

    expect(email.subject).toBe('Ann & <Bo>, finish your quote');
  });

  it('renders the SMS reminder as one unescaped text', async () => {
    const sms = await sut.render(
      'sms',
      'form-abandon-reminder',
      context({ trigger: { type: 'form_abandon', properties: { url: 'https://acme.test/q?step=2' } } }),
    );

    expect(sms.body).toBe(
      'Hi Ann & <Bo>, your quote is almost done. Finish it here: https://acme.test/q?step=2 Reply STOP to opt out.',
    );
  });

  it.each([
    ['email', 'form-abandon-recovery', true],
    ['sms', 'form-abandon-reminder', true],
    ['email', 'form-abandon-reminder', false],
    ['sms', 'nope', false],
    ['email', '../email/form-abandon-recovery', false],
  ] as const)('exists(%s, %s) is %s', async (channel, name, expected) => {
    expect(await sut.exists(channel, name)).toBe(expected);
  });

  it('refuses a missing template with a permanent error naming it', async () => {
    const error = await sut.render('sms', 'nope', context()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TemplateNotFoundError);
    expect(error).toMatchObject({ code: 'TEMPLATE_NOT_FOUND', permanent: true });
    expect((error as Error).message).toMatch(/^sms template "nope": .*sms\/nope\.hbs does not exist$/);
  });
});

describe('TemplatesService with a TEMPLATES_DIR of its own', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nudge-templates-'));
    mkdirSync(join(dir, 'sms'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('picks up a template added after a miss, and caches it once compiled', async () => {
    const sut = serviceFor(dir);
    await expect(sut.render('sms', 'hello', context())).rejects.toThrow(TemplateNotFoundError);

    writeFileSync(join(dir, 'sms', 'hello.hbs'), 'Hello {{lead.id}}\n');
    const first = await sut.render('sms', 'hello', context());
    writeFileSync(join(dir, 'sms', 'hello.hbs'), 'Changed');
    const second = await sut.render('sms', 'hello', context());

    expect(first.body).toBe('Hello lead_1');
    expect(second.body).toBe('Hello lead_1');
  });

  it('reports a template that does not compile as a permanent error', async () => {
    writeFileSync(join(dir, 'sms', 'broken.hbs'), 'Hello {{#if lead}}');

    await expect(serviceFor(dir).render('sms', 'broken', context())).rejects.toThrow(/broken\.hbs does not compile/);
  });
});

describe('defaultTemplatesDir', () => {
  it('finds the repository from a compiled file under dist/ as from the source', () => {
    const root = join(__dirname, '..', '..', '..');

    expect(defaultTemplatesDir(join(root, 'dist', 'src', 'messaging', 'templates'))).toBe(join(root, 'templates'));
    expect(defaultTemplatesDir(__dirname)).toBe(join(root, 'templates'));
  });
});
