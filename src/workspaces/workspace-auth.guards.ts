import { CanActivate, createParamDecorator, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../common/app-error';
import { ApiKeysService, WorkspaceContext } from './api-keys.service';
import { WorkspaceErrorCode } from './workspace-errors';

type AuthenticatedRequest = FastifyRequest & { workspace?: WorkspaceContext };

/**
 * Ingestion auth, as Segment's HTTP API does it: the write key as the HTTP Basic user name
 * (`writeKey:`), or as a `writeKey` field of the JSON body (what analytics.js sends).
 */
@Injectable()
export class WriteKeyGuard implements CanActivate {
  constructor(private readonly keys: ApiKeysService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = basicUser(request.headers.authorization) ?? bodyWriteKey(request.body);
    if (!key) {
      throw unauthorized(
        'a write key is required: send it as HTTP Basic auth ("writeKey:") or a "writeKey" body field',
      );
    }
    request.workspace = (await this.keys.authenticate(key, 'write')) ?? undefined;
    if (!request.workspace) throw unauthorized('the write key is not valid');
    return true;
  }
}

/** Reading and admin endpoints: the workspace's secret API key as `Authorization: Bearer`. */
@Injectable()
export class SecretKeyGuard implements CanActivate {
  constructor(private readonly keys: ApiKeysService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!key) throw unauthorized('a secret API key is required as "Authorization: Bearer <key>"');
    request.workspace = (await this.keys.authenticate(key, 'secret')) ?? undefined;
    if (request.workspace) return true;
    if ((await this.keys.kindOf(key)) === 'write') {
      throw unauthorized('this is a write key, which can only send events; use the secret API key');
    }
    throw unauthorized('the API key is not valid');
  }
}

/**
 * Routes a website calls as well as a back office (an experiment's variant for a visitor):
 * the secret key as `Authorization: Bearer`, or the write key as HTTP Basic, as on ingestion.
 */
@Injectable()
export class SecretOrWriteKeyGuard implements CanActivate {
  constructor(
    private readonly secret: SecretKeyGuard,
    private readonly write: WriteKeyGuard,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    return /^Basic\s/i.test(request.headers.authorization ?? '')
      ? this.write.canActivate(context)
      : this.secret.canActivate(context);
  }
}

/** The workspace the request's key belongs to; only on routes behind one of the guards above. */
export const CurrentWorkspace = createParamDecorator((_: unknown, context: ExecutionContext): WorkspaceContext => {
  const workspace = context.switchToHttp().getRequest<AuthenticatedRequest>().workspace;
  if (!workspace) throw new Error('CurrentWorkspace used on a route without a key guard');
  return workspace;
});

function basicUser(header: string | undefined): string | undefined {
  const encoded = /^Basic\s+(\S+)$/i.exec(header ?? '')?.[1];
  if (!encoded) return undefined;
  const user = Buffer.from(encoded, 'base64').toString('utf8').split(':')[0];
  return user || undefined;
}

function bodyWriteKey(body: unknown): string | undefined {
  const key = body && typeof body === 'object' ? (body as { writeKey?: unknown }).writeKey : undefined;
  return typeof key === 'string' && key ? key : undefined;
}

const unauthorized = (message: string) =>
  new AppError(WorkspaceErrorCode.Unauthorized, HttpStatus.UNAUTHORIZED, message);
