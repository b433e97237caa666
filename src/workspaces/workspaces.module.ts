import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ApiKeysService } from './api-keys.service';
import { SecretKeyGuard, SecretOrWriteKeyGuard, WriteKeyGuard } from './workspace-auth.guards';
import { ApiKey, ApiKeySchema } from './api-key.model';
import { Workspace, WorkspaceSchema } from './workspace.model';
import { WorkspacesRepository } from './workspaces.repository';

/** Workspaces and their keys; the guards every other feature's routes sit behind. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Workspace.name, schema: WorkspaceSchema },
      { name: ApiKey.name, schema: ApiKeySchema },
    ]),
  ],
  providers: [WorkspacesRepository, ApiKeysService, WriteKeyGuard, SecretKeyGuard, SecretOrWriteKeyGuard],
  exports: [ApiKeysService, WorkspacesRepository, WriteKeyGuard, SecretKeyGuard, SecretOrWriteKeyGuard],
})
export class WorkspacesModule {}
