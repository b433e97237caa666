import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { bodyDocs } from '../common/openapi';
import { parseRequest } from '../common/validation';
import { WorkspaceContext } from '../workspaces/api-keys.service';
import { CurrentWorkspace, SecretKeyGuard, SecretOrWriteKeyGuard } from '../workspaces/workspace-auth.guards';
import { ExperimentAssignments } from './assignment/experiment-assignments.service';
import {
  concludeExperimentSchema,
  createExperimentSchema,
  sampleSizeQuerySchema,
  updateExperimentSchema,
  variantParamsSchema,
} from './dto/experiment.request';
import { ExperimentsService } from './experiments.service';
import { ExperimentResults } from './results/experiment-results';
import { minimumDetectableEffect, sampleSizePerVariant } from './statistics/sample-size';

/**
 * Experiments over REST, at `/v1/experiments` and at the product spec's
 * `/api/behavior/experiments` (the same handlers; the spec's CreateExperimentRequest is accepted on both).
 */
@ApiTags('experiments')
@ApiBearerAuth()
@Controller(['v1/experiments', 'api/behavior/experiments'])
export class ExperimentsController {
  constructor(
    private readonly experiments: ExperimentsService,
    private readonly assignments: ExperimentAssignments,
    private readonly results: ExperimentResults,
  ) {}

  @Post()
  @UseGuards(SecretKeyGuard)
  @ApiOperation({ summary: 'Create an experiment (draft unless status says otherwise)' })
  @ApiBody(bodyDocs(createExperimentSchema))
  create(@CurrentWorkspace() workspace: WorkspaceContext, @Body() body: unknown) {
    return this.experiments.create(workspace.workspaceId, parseRequest(createExperimentSchema, body));
  }

  @Get()
  @UseGuards(SecretKeyGuard)
  @ApiOperation({ summary: "The workspace's experiments, newest first" })
  async list(@CurrentWorkspace() workspace: WorkspaceContext) {
    return { experiments: await this.experiments.list(workspace.workspaceId) };
  }

  @Get('sample-size')
  @UseGuards(SecretKeyGuard)
  @ApiOperation({
    summary: 'Leads per variant to detect an absolute lift (mde), or the lift a sample size detects',
    description: "Two-sided two-proportion test, R's power.prop.test; alpha 0.05 and power 0.8 unless given.",
  })
  sampleSize(@Query() query: unknown) {
    const { baseline, mde, leadsPerVariant, alpha, power } = parseRequest(sampleSizeQuerySchema, query);
    const plan = { baseline, alpha, power };
    return mde !== undefined
      ? { ...plan, mde, leadsPerVariant: Math.ceil(sampleSizePerVariant(plan, mde)) }
      : { ...plan, leadsPerVariant, mde: minimumDetectableEffect(plan, leadsPerVariant!) };
  }

  @Get(':experimentId')
  @UseGuards(SecretKeyGuard)
  get(@CurrentWorkspace() workspace: WorkspaceContext, @Param('experimentId') id: string) {
    return this.experiments.get(workspace.workspaceId, id);
  }

  @Put(':experimentId')
  @UseGuards(SecretKeyGuard)
  @ApiOperation({
    summary: 'Change name, coverage (ramp up), dates, settings or status (start, pause, resume, complete)',
  })
  @ApiBody(bodyDocs(updateExperimentSchema))
  update(@CurrentWorkspace() workspace: WorkspaceContext, @Param('experimentId') id: string, @Body() body: unknown) {
    return this.experiments.update(workspace.workspaceId, id, parseRequest(updateExperimentSchema, body));
  }

  @Post(':experimentId/conclude')
  @HttpCode(200)
  @UseGuards(SecretKeyGuard)
  @ApiOperation({ summary: 'Complete it with a winner, which every lead gets from now on (rolled out)' })
  @ApiBody(bodyDocs(concludeExperimentSchema))
  conclude(@CurrentWorkspace() workspace: WorkspaceContext, @Param('experimentId') id: string, @Body() body: unknown) {
    const { winnerVariantId } = parseRequest(concludeExperimentSchema, body ?? {});
    return this.experiments.conclude(workspace.workspaceId, id, winnerVariantId);
  }

  @Delete(':experimentId')
  @HttpCode(204)
  @UseGuards(SecretKeyGuard)
  async remove(@CurrentWorkspace() workspace: WorkspaceContext, @Param('experimentId') id: string) {
    await this.experiments.remove(workspace.workspaceId, id);
  }

  @Get(':experimentId/variants/:leadId')
  @UseGuards(SecretOrWriteKeyGuard)
  @ApiOperation({
    summary: "A lead's variant (id, userId or anonymousId): deterministic, sticky, one exposure event",
    description:
      'The secret key, or the write key as HTTP Basic (a website asking for its visitor). An id no lead has is a ' +
      'new visitor: taken as an anonymousId, its lead is made when the experiment takes it.',
  })
  async variant(
    @CurrentWorkspace() workspace: WorkspaceContext,
    @Param('experimentId') id: string,
    @Param('leadId') leadId: string,
  ) {
    const { leadId: asked } = parseRequest(variantParamsSchema, { leadId });
    const experiment = await this.experiments.getForAssignment(workspace.workspaceId, id);
    return this.assignments.variantFor(workspace.workspaceId, experiment, asked);
  }

  @Get(':experimentId/results')
  @UseGuards(SecretKeyGuard)
  @ApiOperation({
    summary: 'Per variant: exposures, metric values, lift, intervals, p-values, chance to win, SRM, verdict',
  })
  async resultsOf(@CurrentWorkspace() workspace: WorkspaceContext, @Param('experimentId') id: string) {
    const experiment = await this.experiments.get(workspace.workspaceId, id);
    return this.results.results(workspace.workspaceId, experiment);
  }
}
