import { Controller, Get, UseFilters } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../auth/public.decorator';
import { VectorStore } from '../vector-store/vector-store.port';
import { ChromaHealthIndicator } from './chroma.health';
import { DiskHealthIndicator } from './disk.health';
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
    required: ['status'],
    properties: {
      status: { type: 'string', enum: [status] },
      info: INDICATOR_SCHEMA,
      error: INDICATOR_SCHEMA,
      details: INDICATOR_SCHEMA,
    },
    example,
  },
});

@ApiTags('health')
@Public()
// Load balancers and orchestrators probe often from few addresses; never throttle them.
@SkipThrottle()
@UseFilters(HealthCheckErrorFilter)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly chroma: ChromaHealthIndicator,
    private readonly embedder: EmbedderHealthIndicator,
    private readonly disk: DiskHealthIndicator,
    private readonly store: VectorStore,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({
    operationId: 'health',
    summary: 'Readiness: Chroma heartbeat, embedder loaded, data-folder disk space',
    description:
      'Public. 200 when every indicator is up; 503 naming the failing indicator otherwise. `disk` is checked for the embedded strategy only.',
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
    const indicators: HealthIndicatorFunction[] = [
      () => this.chroma.isHealthy('chroma'),
      () => this.embedder.isHealthy('embedder'),
    ];
    // A remote Chroma's disk is not ours to watch; the embedded one writes under CHROMA_PATH.
    if (this.store.strategy === 'embedded') indicators.push(() => this.disk.isHealthy('disk'));
    return this.health.check(indicators);
  }

  @Get('live')
  @ApiOperation({
    operationId: 'liveness',
    summary: 'Liveness: the process serves HTTP',
    description: 'Public. Checks no dependency, so a Chroma outage never gets the API restarted.',
  })
  @ApiOkResponse({
    description: 'Alive',
    schema: {
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'string', enum: ['ok'] } },
      example: { status: 'ok' },
    },
  })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
