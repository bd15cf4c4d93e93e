import { Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ENV } from '../config/env';
import { OperationRecorder } from '../observability/operation-recorder';
import { ChromaEmbeddedSupervisor } from './chroma-embedded.supervisor';
import { ChromaHttpStore, chromaEndpoint, createChromaClient } from './chroma-http.store';
import { ChromaRestQuery } from './chroma-rest.query';
import { RequestDeadline } from './request-deadline';
import {
  VectorStoreConfig,
  vectorStoreConfigFrom,
  type ChromaHttpConfig,
} from './vector-store.config';
import { VectorStore } from './vector-store.port';

/** Picks the strategy: a configured Chroma server over HTTP, else our own embedded one. */
async function createVectorStore(
  config: VectorStoreConfig,
  recorder?: OperationRecorder,
): Promise<VectorStore> {
  const logger = new Logger('VectorStore');
  const deadline = new RequestDeadline('the vector store');
  const { http, embedded, timeoutMs, upsertBatchSize, querySockets, hnsw } = config;
  if (http) {
    logger.log(
      `strategy http: Chroma at ${http.apiKey ? 'Chroma Cloud' : new URL(http.url).origin}`,
    );
    const endpoint = chromaEndpoint(http);
    return new ChromaHttpStore(createChromaClient(http, deadline), {
      strategy: 'http',
      timeoutMs,
      upsertBatchSize,
      hnsw,
      deadline,
      recorder,
      restQuery: endpoint && new ChromaRestQuery(endpoint, querySockets),
    });
  }
  const supervisor = new ChromaEmbeddedSupervisor(embedded);
  await supervisor.start();
  logger.log(`strategy embedded: Chroma on ${supervisor.url} persisting to ${embedded.path}`);
  const local: ChromaHttpConfig = { url: supervisor.url, authHeader: 'Authorization' };
  return new ChromaHttpStore(createChromaClient(local, deadline), {
    strategy: 'embedded',
    restQuery: new ChromaRestQuery(chromaEndpoint(local)!, querySockets),
    timeoutMs,
    upsertBatchSize,
    hnsw,
    deadline,
    recorder,
    assertAvailable: () => supervisor.assertAvailable(),
    close: () => supervisor.stop(),
  });
}

@Module({
  providers: [
    { provide: VectorStoreConfig, useFactory: vectorStoreConfigFrom, inject: [ENV] },
    {
      provide: VectorStore,
      useFactory: createVectorStore,
      // Optional so the module also boots without ObservabilityModule (unit tests).
      inject: [VectorStoreConfig, { token: OperationRecorder, optional: true }],
    },
  ],
  exports: [VectorStoreConfig, VectorStore],
})
export class VectorStoreModule implements OnApplicationShutdown {
  constructor(@Inject(VectorStore) private readonly store: VectorStore) {}

  /** Stops the embedded server (if any) so no Chroma process outlives the API. */
  async onApplicationShutdown(): Promise<void> {
    if (this.store instanceof ChromaHttpStore) await this.store.close();
  }
}
