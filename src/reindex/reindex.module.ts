import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { CollectionsModule } from '../collections/collections.module';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { ReindexController } from './reindex.controller';
import { ReindexScheduler } from './reindex.scheduler';
import { ReindexService } from './reindex.service';

/** Zero-downtime rebuild of collections after an embedding-model change; see ReindexService. */
@Module({
  imports: [ScheduleModule.forRoot(), CollectionsModule, VectorStoreModule, EmbeddingsModule],
  controllers: [ReindexController],
  providers: [ReindexService, ReindexScheduler],
  exports: [ReindexService],
})
export class ReindexModule {}
