import { Module } from '@nestjs/common';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { CollectionRegistry } from './collection-registry';
import { CollectionRouter } from './collection-router';

/** Logical collections: their names, the registry of their generations, and routing to them. */
@Module({
  imports: [VectorStoreModule, EmbeddingsModule],
  providers: [CollectionRegistry, CollectionRouter],
  exports: [CollectionRegistry, CollectionRouter],
})
export class CollectionsModule {}
