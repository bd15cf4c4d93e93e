import { Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ChromaEmbeddedSupervisor } from './chroma-embedded.supervisor';
import { ChromaHttpStore, createChromaClient } from './chroma-http.store';
import { RequestDeadline } from './request-deadline';
import { VectorStore } from './vector-store.port';

/** Picks the strategy: a configured Chroma server over HTTP, else our own embedded one. */
async function createVectorStore(config: AppConfig): Promise<VectorStore> {
  const logger = new Logger('VectorStore');
  const deadline = new RequestDeadline('the vector store');
  const { http, embedded, timeoutMs, upsertBatchSize } = config.chroma;
  if (http) {
    logger.log(
      `strategy http: Chroma at ${http.apiKey ? 'Chroma Cloud' : new URL(http.url).origin}`,
    );
    return new ChromaHttpStore(createChromaClient(http, deadline), {
      strategy: 'http',
      timeoutMs,
      upsertBatchSize,
      deadline,
    });
  }
  const supervisor = new ChromaEmbeddedSupervisor(embedded);
  await supervisor.start();
  logger.log(`strategy embedded: Chroma on ${supervisor.url} persisting to ${embedded.path}`);
  return new ChromaHttpStore(
    createChromaClient({ url: supervisor.url, authHeader: 'Authorization' }, deadline),
    {
      strategy: 'embedded',
      timeoutMs,
      upsertBatchSize,
      deadline,
      assertAvailable: () => supervisor.assertAvailable(),
      close: () => supervisor.stop(),
    },
  );
}

@Module({
  providers: [{ provide: VectorStore, useFactory: createVectorStore, inject: [AppConfig] }],
  exports: [VectorStore],
})
export class VectorStoreModule implements OnApplicationShutdown {
  constructor(@Inject(VectorStore) private readonly store: VectorStore) {}

  /** Stops the embedded server (if any) so no Chroma process outlives the API. */
  async onApplicationShutdown(): Promise<void> {
    if (this.store instanceof ChromaHttpStore) await this.store.close();
  }
}
