import { Module } from '@nestjs/common';
import { ENV } from '../config/env';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { CollectionRegistry } from './collection-registry';
import { CollectionRouter } from './collection-router';
import { CollectionsConfig, collectionsConfigFrom } from './collections.config';

/** Logical collections: their names, the registry of their generations, and routing to them. */
@Module({
  imports: [VectorStoreModule, EmbeddingsModule],
  providers: [
    { provide: CollectionsConfig, useFactory: collectionsConfigFrom, inject: [ENV] },
    CollectionRegistry,
    CollectionRouter,
  ],
  exports: [CollectionRegistry, CollectionRouter],
})
export class CollectionsModule {}
