import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ENV } from '../config/env';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { ChromaHealthIndicator } from './chroma.health';
import { DiskHealthIndicator } from './disk.health';
import { EmbedderHealthIndicator } from './embedder.health';
import { HealthCheckLogger } from './health-check.logger';
import { HealthConfig, healthConfigFrom } from './health.config';
import { HealthController } from './health.controller';

@Module({
  imports: [
    TerminusModule.forRoot({ logger: HealthCheckLogger }),
    VectorStoreModule,
    EmbeddingsModule,
  ],
  controllers: [HealthController],
  providers: [
    { provide: HealthConfig, useFactory: healthConfigFrom, inject: [ENV] },
    ChromaHealthIndicator,
    EmbedderHealthIndicator,
    DiskHealthIndicator,
  ],
})
export class HealthModule {}
