import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { LRUCache } from 'lru-cache';
import { existsSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { AppError } from '../../common/app-error';
import { AppConfig, ConfigService } from '../../config/config.module';
import type { Channel } from '../unsubscribe/unsubscribe-token';
import { MessagingErrorCode } from '../messaging-errors';
import type { TriggerFacts } from '../../../workflows/contracts/journey-activities';

/** What every template sees; see templates/README.md. */
export interface TemplateContext {
  lead: { id: string; traits: Record<string, unknown>; tags: string[] };
  journey: { id: string; version: number };
  step: { id: string };
  /** The event that started the run, when the worker can find it. */
  trigger?: TriggerFacts;
  /** Email only: the one-click unsubscribe link of this lead. */
  unsubscribeUrl?: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface RenderedSms {
  body: string;
}

/** A journey names a template that is not there: no retry can fix it, so the step fails at once. */
export class TemplateNotFoundError extends AppError {
  /** Read by the messaging activities, which turn it into a non-retryable failure. */
  readonly permanent = true;

  constructor(channel: Channel, name: string, reason: string) {
    super(
      MessagingErrorCode.TemplateNotFound,
      HttpStatus.UNPROCESSABLE_ENTITY,
      `${channel} template "${name}": ${reason}`,
      {
        channel,
        name,
      },
    );
  }
}

type Part = 'subject' | 'html' | 'text' | 'sms';

const EMAIL_PARTS = ['subject', 'html', 'text'] as const;
// The same rule journey definitions apply to template names; it also keeps names inside the folder.
const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Loads Handlebars templates from TEMPLATES_DIR (`email/<name>/{subject,html,text}.hbs`,
 * `sms/<name>.hbs`) and caches them compiled. Only html escapes values: text and SMS are
 * shown as typed, so an `&` in a first name must stay an `&` there.
 */
@Injectable()
export class TemplatesService {
  readonly directory: string;
  // An isolated instance: helpers or partials registered elsewhere cannot change our output.
  private readonly handlebars = Handlebars.create();
  private readonly compiled = new Map<string, Promise<Handlebars.TemplateDelegate>>();
  /** Subjects given by journey steps instead of subject.hbs; few distinct ones, but unbounded in theory. */
  private readonly inlineSubjects = new LRUCache<string, Handlebars.TemplateDelegate>({ max: 500 });

  constructor(@Inject(ConfigService) config: AppConfig) {
    const configured = config.get('TEMPLATES_DIR', { infer: true });
    this.directory = configured ? resolve(configured) : defaultTemplatesDir(__dirname);
  }

  /** Whether every file the channel needs exists; journeys refuse to publish a step naming a missing one. */
  async exists(channel: Channel, name: string): Promise<boolean> {
    if (!NAME.test(name)) return false;
    const parts = channel === 'email' ? EMAIL_PARTS : (['sms'] as const);
    const found = await Promise.all(parts.map((part) => access(this.pathOf(channel, name, part)).then(yes, no)));
    return found.every(Boolean);
  }

  render(
    channel: 'email',
    name: string,
    context: TemplateContext,
    options?: { subject?: string },
  ): Promise<RenderedEmail>;
  render(channel: 'sms', name: string, context: TemplateContext): Promise<RenderedSms>;
  async render(
    channel: Channel,
    name: string,
    context: TemplateContext,
    options: { subject?: string } = {},
  ): Promise<RenderedEmail | RenderedSms> {
    if (channel === 'sms') return { body: (await this.run(channel, name, 'sms', context)).trim() };
    const [subject, html, text] = await Promise.all([
      options.subject ? this.inlineSubject(options.subject)(context) : this.run(channel, name, 'subject', context),
      this.run(channel, name, 'html', context),
      this.run(channel, name, 'text', context),
    ]);
    return { subject: singleLine(subject), html, text: `${text.trim()}\n` };
  }

  private async run(channel: Channel, name: string, part: Part, context: TemplateContext): Promise<string> {
    if (!NAME.test(name)) throw new TemplateNotFoundError(channel, name, 'not a valid template name');
    const key = `${channel}/${name}/${part}`;
    let template = this.compiled.get(key);
    if (!template) {
      template = this.load(channel, name, part);
      this.compiled.set(key, template);
      // A missing file is looked for again next time: it may be deployed without a restart.
      template.catch(() => this.compiled.delete(key));
    }
    return (await template)(context);
  }

  private async load(channel: Channel, name: string, part: Part): Promise<Handlebars.TemplateDelegate> {
    const path = this.pathOf(channel, name, part);
    const source = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new TemplateNotFoundError(channel, name, `${path} does not exist`);
      throw error;
    });
    // Handlebars compiles lazily, on first render; parsing now reports a syntax error as a load error.
    try {
      this.handlebars.parse(source);
      return this.handlebars.compile(source, { noEscape: part !== 'html' });
    } catch (error) {
      throw new TemplateNotFoundError(channel, name, `${path} does not compile: ${(error as Error).message}`);
    }
  }

  private inlineSubject(source: string): Handlebars.TemplateDelegate {
    let template = this.inlineSubjects.get(source);
    if (!template) {
      template = this.handlebars.compile(source, { noEscape: true });
      this.inlineSubjects.set(source, template);
    }
    return template;
  }

  private pathOf(channel: Channel, name: string, part: Part): string {
    return channel === 'sms'
      ? join(this.directory, 'sms', `${name}.hbs`)
      : join(this.directory, 'email', name, `${part}.hbs`);
  }
}

/**
 * `<repo>/templates`, found from the running file: the nearest folder up holding package.json.
 * That is the repository under ts-jest and tsx (src/messaging) and from dist/src/messaging
 * alike, and /app in the Docker image, which copies templates/ next to dist/.
 */
export function defaultTemplatesDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'templates');
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}; set TEMPLATES_DIR`);
  }
}

/** A subject is one line: editors end files with a newline, and a header must not break. */
const singleLine = (value: string) => value.replace(/\s+/g, ' ').trim();

const yes = () => true;
const no = () => false;
