import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { ENV } from '../config/env';
import type { Env } from '../config/env.schema';
import { DocumentsModule } from '../documents/documents.module';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { IngestConfig, ingestConfigFrom } from './ingest.config';
import { IngestController } from './ingest.controller';
import { IngestJobStore } from './ingest-job.store';
import { IngestJobsService } from './ingest-jobs.service';
import { IngestRunner } from './ingest-runner';
import { meteredUpload } from './metered-upload';
import { UploadLimitsInterceptor } from './upload-limits.interceptor';

/** Bulk ingest: file formats, async jobs kept in Chroma, resumed by any task. */
@Module({
  imports: [
    DocumentsModule,
    VectorStoreModule,
    MulterModule.registerAsync({
      inject: [ENV],
      // Multer's options are built outside this module's providers, so from the env itself.
      useFactory: (env: Env) => {
        const config = ingestConfigFrom(env);
        const { maxFileBytes, maxFiles } = config;
        return {
          // Memory storage: bounded by the limits below, and the texts are extracted at once.
          preservePath: true,
          defParamCharset: 'utf8',
          limits: { fileSize: maxFileBytes, files: maxFiles, parts: maxFiles + 10 },
          streamHandler: meteredUpload(config),
        };
      },
    }),
  ],
  controllers: [IngestController],
  providers: [
    { provide: IngestConfig, useFactory: ingestConfigFrom, inject: [ENV] },
    IngestJobStore,
    IngestJobsService,
    IngestRunner,
    UploadLimitsInterceptor,
  ],
})
export class IngestModule {}
