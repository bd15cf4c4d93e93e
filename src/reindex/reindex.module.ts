import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { CollectionsModule } from '../collections/collections.module';
import { ENV } from '../config/env';
import { DocumentsModule } from '../documents/documents.module';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { ReindexConfig, reindexConfigFrom } from './reindex.config';
import { ReindexController } from './reindex.controller';
import { ReindexScheduler } from './reindex.scheduler';
import { ReindexService } from './reindex.service';

/** Zero-downtime rebuild of collections after an embedding-model change; see ReindexService. */
@Module({
  imports: [
    ScheduleModule.forRoot(),
    CollectionsModule,
    VectorStoreModule,
    EmbeddingsModule,
    DocumentsModule,
  ],
  controllers: [ReindexController],
  providers: [
    { provide: ReindexConfig, useFactory: reindexConfigFrom, inject: [ENV] },
    ReindexService,
    ReindexScheduler,
  ],
  exports: [ReindexService],
})
export class ReindexModule {}
