import { Module } from '@nestjs/common';
import { CollectionsModule } from '../collections/collections.module';
import { ENV } from '../config/env';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { DocumentsConfig, documentsConfigFrom } from './documents.config';
import { DocumentsController } from './documents.controller';
import { DocumentsService } from './documents.service';

@Module({
  imports: [CollectionsModule, VectorStoreModule, EmbeddingsModule],
  controllers: [DocumentsController],
  providers: [
    { provide: DocumentsConfig, useFactory: documentsConfigFrom, inject: [ENV] },
    DocumentsService,
  ],
  exports: [DocumentsConfig, DocumentsService],
})
export class DocumentsModule {}
