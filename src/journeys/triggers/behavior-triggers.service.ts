import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/app-error';
import { JourneysService } from '../journeys.service';
import { readTriggerRequest } from './dto/trigger.request';

/**
 * The product spec's behavioral triggers, served as journeys: creating a trigger creates
 * and publishes the equivalent journey, whose id is the trigger's id.
 */
@Injectable()
export class BehaviorTriggersService {
  constructor(private readonly journeys: JourneysService) {}

  async create(workspaceId: string, body: unknown) {
    const { request, definition, inRequestTerms } = readTriggerRequest(body);
    try {
      await this.journeys.assertTemplatesExist(definition);
    } catch (error) {
      if (error instanceof AppError) throw new AppError(error.code, error.status, inRequestTerms(error.message));
      throw error;
    }
    const journey = await this.journeys.create(workspaceId, definition);
    const published = await this.journeys.publish(workspaceId, journey.id);
    return {
      id: journey.id,
      ...request,
      status: 'active',
      journeyId: journey.id,
      version: published.version,
      createdAt: journey.createdAt,
    };
  }
}
