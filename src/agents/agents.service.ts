import { HttpStatus, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppError } from '../common/app-error';
import { AppConfig, ConfigService } from '../config/config.module';
import { isDuplicateKey } from '../database/mongo-errors';
import { AgentChanges, AgentRecord, AgentsRepository } from './agents.repository';
import { AgentErrorCode } from './agent-errors';

export type NewAgent = Pick<AgentRecord, 'name' | 'email' | 'traits' | 'active'>;

/** The development workspace's sales team, so a fresh clone's journeys have someone to assign. */
const devAgents: Array<NewAgent & { slug: string }> = [
  {
    slug: 'avery_quinn',
    name: 'Avery Quinn',
    email: 'avery.quinn@example.com',
    traits: { region: 'north' },
    active: true,
  },
  {
    slug: 'blake_rivera',
    name: 'Blake Rivera',
    email: 'blake.rivera@example.com',
    traits: { region: 'south' },
    active: true,
  },
  {
    slug: 'casey_morgan',
    name: 'Casey Morgan',
    email: 'casey.morgan@example.com',
    traits: { region: 'west' },
    active: true,
  },
];

/** The sales team: agents, their traits, and whether they take new leads. */
@Injectable()
export class AgentsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AgentsService.name);

  constructor(
    private readonly repository: AgentsRepository,
    @Inject(ConfigService) private readonly config: AppConfig,
  ) {}

  list(workspaceId: string, only: { active?: boolean } = {}): Promise<AgentRecord[]> {
    return this.repository.listAgents(workspaceId, only);
  }

  async get(workspaceId: string, id: string): Promise<AgentRecord> {
    const agent = await this.repository.findAgent(workspaceId, id);
    if (!agent) throw new AppError(AgentErrorCode.AgentNotFound, HttpStatus.NOT_FOUND, `no agent has the id "${id}"`);
    return agent;
  }

  async create(workspaceId: string, agent: NewAgent): Promise<AgentRecord> {
    const id = `ag_${randomBytes(6).toString('hex')}`;
    const now = new Date();
    const record: AgentRecord = { id, ...agent, openAssignments: 0, createdAt: now, updatedAt: now };
    if (!(await this.repository.insertAgent(workspaceId, record))) throw emailTaken(agent.email);
    return record;
  }

  /** One `$set` of the given fields, so it never undoes an assignment's count, in this process or another. */
  async update(workspaceId: string, id: string, changes: AgentChanges): Promise<AgentRecord> {
    let found: boolean;
    try {
      found = await this.repository.updateAgent(workspaceId, id, changes, new Date());
    } catch (error) {
      if (isDuplicateKey(error)) throw emailTaken(changes.email ?? '');
      throw error;
    }
    if (!found) throw new AppError(AgentErrorCode.AgentNotFound, HttpStatus.NOT_FOUND, `no agent has the id "${id}"`);
    return this.get(workspaceId, id);
  }

  /** Seeds the development workspace's agents once; agents edited or deactivated since stay so. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.get('DEV_WORKSPACE_SEED', { infer: true })) return;
    const workspaceId = this.config.get('DEV_WORKSPACE_ID', { infer: true });
    const now = new Date();
    for (const { slug, ...agent } of devAgents) {
      const record = { id: `ag_${workspaceId}_${slug}`, ...agent, openAssignments: 0, createdAt: now, updatedAt: now };
      await this.repository.insertAgent(workspaceId, record);
    }
    this.logger.log(`Development agents of workspace "${workspaceId}" are ready`);
  }
}

const emailTaken = (email: string) =>
  new AppError(
    AgentErrorCode.AgentExists,
    HttpStatus.CONFLICT,
    `email: another agent already has the email "${email}"`,
  );
