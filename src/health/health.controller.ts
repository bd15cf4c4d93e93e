import { Controller, Get, UseFilters } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator';
import { ChromaHealthIndicator } from './chroma.health';
import { EmbedderHealthIndicator } from './embedder.health';
import { HealthCheckErrorFilter } from './health-check-error.filter';

const INDICATOR_SCHEMA = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    additionalProperties: true,
  },
};

const healthSchema = (status: string, example: Record<string, unknown>) => ({
  schema: {
    type: 'object',
    properties: {
      status: { type: 'string', example: status },
      info: INDICATOR_SCHEMA,
      error: INDICATOR_SCHEMA,
      details: INDICATOR_SCHEMA,
    },
    example,
  },
});

@ApiTags('health')
@Public()
@UseFilters(HealthCheckErrorFilter)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly chroma: ChromaHealthIndicator,
    private readonly embedder: EmbedderHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({
    operationId: 'health',
    summary: 'Readiness: Chroma heartbeat and embedder loaded',
    description:
      'Public. 200 when every indicator is up; 503 naming the failing indicator otherwise.',
  })
  @ApiOkResponse({
    description: 'Ready',
    ...healthSchema('ok', {
      status: 'ok',
      info: { chroma: { status: 'up' }, embedder: { status: 'up' } },
      error: {},
      details: { chroma: { status: 'up' }, embedder: { status: 'up' } },
    }),
  })
  @ApiServiceUnavailableResponse({
    description: 'Not ready',
    ...healthSchema('error', {
      status: 'error',
      info: { embedder: { status: 'up' } },
      error: { chroma: { status: 'down', message: 'the vector store is unavailable' } },
      details: {},
    }),
  })
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.chroma.isHealthy('chroma'),
      () => this.embedder.isHealthy('embedder'),
    ]);
  }
}
