import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AuthModule } from './auth/auth.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { createValidationPipe } from './common/validation.pipe';
import { ConfigModule } from './config/config.module';
import { ENV } from './config/env';
import { DocumentsModule } from './documents/documents.module';
import { HealthModule } from './health/health.module';
import { IngestModule } from './ingest/ingest.module';
import { ObservabilityModule } from './observability/observability.module';
import { RagChatModule } from './rag-chat/rag-chat.module';
import { ReindexModule } from './reindex/reindex.module';
import { ServerConfig, serverConfigFrom } from './server.config';

@Module({
  imports: [
    ConfigModule,
    AuthModule,
    ObservabilityModule,
    DocumentsModule,
    HealthModule,
    RagChatModule,
    ReindexModule,
    IngestModule,
  ],
  providers: [
    { provide: ServerConfig, useFactory: serverConfigFrom, inject: [ENV] },
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
  ],
})
export class AppModule {}
