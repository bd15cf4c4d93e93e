import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { AppConfig } from '../config/app-config';
import { DocumentsModule } from '../documents/documents.module';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { IngestController } from './ingest.controller';
import { IngestJobStore } from './ingest-job.store';
import { IngestJobsService } from './ingest-jobs.service';
import { IngestRunner } from './ingest-runner';
import { UploadLimitsInterceptor } from './upload-limits.interceptor';

/** Bulk ingest: file formats, async jobs kept in Chroma, resumed by any task. */
@Module({
  imports: [
    DocumentsModule,
    VectorStoreModule,
    MulterModule.registerAsync({
      inject: [AppConfig],
      useFactory: ({ ingest }: AppConfig) => ({
        // Memory storage: bounded by the limits below, and the texts are extracted at once.
        preservePath: true,
        defParamCharset: 'utf8',
        limits: {
          fileSize: ingest.maxFileBytes,
          files: ingest.maxFiles,
          parts: ingest.maxFiles + 10,
        },
      }),
    }),
  ],
  controllers: [IngestController],
  providers: [IngestJobStore, IngestJobsService, IngestRunner, UploadLimitsInterceptor],
})
export class IngestModule {}
