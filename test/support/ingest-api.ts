import request from 'supertest';
import type { App } from 'supertest/types';
import { VectorStore } from '../../src/vector-store/vector-store.port';
import { createTestApp, sharedChromaUrl, type TestApp } from './test-app';

/** Fast-moving ingest settings for e2e apps: small batches, quick sweeps, short leases. */
export const INGEST_TEST_ENV = {
  CHUNK_SIZE: '300',
  CHUNK_OVERLAP: '40',
  THROTTLE_STRICT_LIMIT: '10000',
  INGEST_BATCH_CHUNKS: '40',
  INGEST_SETTLE_MS: '50',
  INGEST_SWEEP_MS: '200',
  INGEST_LEASE_MS: '2000',
};

/** An app on the shared Chroma with the ingest test settings, and what ingest specs reach for. */
export async function startIngestApp(): Promise<{
  app: TestApp;
  http: App;
  admin: string;
  store: VectorStore;
}> {
  const app = await createTestApp({ CHROMA_HOST: sharedChromaUrl(), ...INGEST_TEST_ENV });
  return {
    app,
    http: app.app.getHttpServer() as App,
    admin: app.bearer(),
    store: app.app.get(VectorStore),
  };
}

export interface JobBody {
  id: string;
  state: string;
  progress: number;
  files: { total: number; failed: number };
  documents: { total: number; done: number; unchanged: number };
  chunks: { total: number; done: number; unchanged: number };
  failures: { file: string; reason: string }[];
  error?: string;
}

/** Polls a job until `until` holds (by default: it finished), returning every state seen. */
export async function pollJob(
  http: App,
  bearer: string,
  id: string,
  until: (job: JobBody) => boolean = (job) =>
    ['succeeded', 'failed', 'cancelled'].includes(job.state),
  timeoutMs = 60_000,
): Promise<{ job: JobBody; seen: JobBody[] }> {
  const seen: JobBody[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await request(http)
      .get(`/ingest/jobs/${id}`)
      .set('Authorization', bearer)
      .expect(200);
    seen.push(body as JobBody);
    if (until(body as JobBody)) return { job: body as JobBody, seen };
    if (Date.now() > deadline) throw new Error(`job ${id} still ${(body as JobBody).state}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Paragraphs of distinct words, about `chunks` chunks of CHUNK_SIZE=300 each. */
export const longText = (topic: string, chunks: number): string =>
  Array.from(
    { length: chunks * 3 },
    (_, i) => `${topic} paragraph ${i} explains the ${topic} procedure step ${i} in enough detail.`,
  ).join('\n\n');

/**
 * supertest `attach` options that keep a relative path as the file name (form-data keeps only
 * the base name of `filename`).
 */
export const relativeName = (path: string) => ({ filepath: path, contentType: undefined });
