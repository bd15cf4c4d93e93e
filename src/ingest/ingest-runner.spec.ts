import type { Principal } from '../auth/principal';
import { VectorStoreUnavailableError } from '../common/domain-errors';
import { parseEnv } from '../config/env';
import type { DocumentsService } from '../documents/documents.service';
import type { UpsertDocumentsDto } from '../documents/dto/upsert-documents.dto';
import { isFinished, type IngestJob, type StoredBatch } from './ingest-job';
import type { IngestJobStore } from './ingest-job.store';
import { IngestRunner } from './ingest-runner';
import { ingestConfigFrom } from './ingest.config';

const owner: Principal = {
  sub: 'user-1',
  username: 'user-1',
  tokenUse: 'access',
  clientId: 'test',
  scopes: ['rag/write'],
  groups: [],
  roles: ['read', 'write'],
  collections: '*',
};

/** One document per batch, `batch-<n>`, of one chunk. */
const queuedJob = (batches: number): IngestJob => ({
  id: 'job-1',
  state: 'queued',
  collection: 'docs',
  owner,
  files: { total: batches, failed: 0 },
  documents: { total: batches, done: 0, unchanged: 0 },
  chunks: { total: batches, done: 0, unchanged: 0 },
  failures: [],
  batches,
  batchesDone: 0,
  createdAt: Date.now(),
  updatedAt: Date.now(),
});

/** The job store's behaviour, in memory. */
class MemoryJobStore {
  readonly jobs = new Map<string, IngestJob>();
  /** Numbers (1 = the first) of the `save` calls that fail as if Chroma were down. */
  failingSaves = new Set<number>();
  /** Set as DELETE /ingest/jobs/:id would: the cancel request is a record of its own. */
  cancelled = false;
  private saves = 0;
  readonly deleteFinishedBefore = jest.fn((_cutoff: number, _limit: number) => Promise.resolve(0));

  save(job: IngestJob): Promise<void> {
    if (this.failingSaves.has(++this.saves)) {
      return Promise.reject(new VectorStoreUnavailableError());
    }
    this.jobs.set(job.id, structuredClone(job));
    return Promise.resolve();
  }

  get(id: string): Promise<IngestJob | undefined> {
    const job = this.jobs.get(id);
    return Promise.resolve(job && structuredClone(job));
  }

  unfinished(): Promise<IngestJob[]> {
    return Promise.resolve([...this.jobs.values()].filter((job) => !isFinished(job.state)));
  }

  batch(_id: string, seq: number): Promise<StoredBatch> {
    const documents = [{ id: `batch-${seq}`, text: `text ${seq}`, metadata: {} }];
    return Promise.resolve({ documents, pdfs: [] });
  }

  deleteBatches(): Promise<void> {
    return Promise.resolve();
  }

  async withCancel(id: string): Promise<{ job?: IngestJob; cancelRequested: boolean }> {
    return { job: await this.get(id), cancelRequested: this.cancelled };
  }
}

/** DocumentsService.upsert that runs `behaviour` for each call, by the batch's document id. */
function documentsService(behaviour: (documentId: string, call: number) => Promise<void>) {
  const calls = new Map<string, number>();
  const upsert = jest.fn(async (_user: Principal, input: UpsertDocumentsDto) => {
    const id = input.documents[0].id;
    const call = (calls.get(id) ?? 0) + 1;
    calls.set(id, call);
    await behaviour(id, call);
    return {
      collection: input.collection,
      results: [{ id, chunks: 1, status: 'created' as const }],
    };
  });
  return { service: { upsert } as unknown as DocumentsService, calls };
}

const config = (env: Record<string, string> = {}) =>
  ingestConfigFrom(
    parseEnv({
      INGEST_SETTLE_MS: '0',
      INGEST_BATCH_RETRIES: '2',
      INGEST_BATCH_RETRY_DELAY_MS: '1',
      ...env,
    }),
  );

describe('IngestRunner', () => {
  let store: MemoryJobStore;
  let runner: IngestRunner | undefined;

  const start = (
    documents: DocumentsService,
    batches: number,
    env?: Record<string, string>,
    failingSaves: number[] = [],
  ) => {
    store = new MemoryJobStore();
    store.failingSaves = new Set(failingSaves);
    store.jobs.set('job-1', queuedJob(batches));
    runner = new IngestRunner(config(env), store as unknown as IngestJobStore, documents);
    runner.kick();
  };
  const finished = async (): Promise<IngestJob> => {
    for (let i = 0; i < 500; i++) {
      const job = store.jobs.get('job-1')!;
      if (isFinished(job.state)) return job;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('the job did not finish');
  };

  afterEach(async () => {
    await runner?.beforeApplicationShutdown();
    runner = undefined;
  });

  it('runs a batch again after a transient store failure and finishes the job', async () => {
    const { service, calls } = documentsService((id, call) =>
      id === 'batch-1' && call <= 2
        ? Promise.reject(new VectorStoreUnavailableError())
        : Promise.resolve(),
    );
    start(service, 3);
    const job = await finished();
    expect(job).toMatchObject({ state: 'succeeded', batchesDone: 3, documents: { done: 3 } });
    expect(calls.get('batch-1')).toBe(3);
  });

  it('fails the job once a batch has used up INGEST_BATCH_RETRIES', async () => {
    const { service, calls } = documentsService((id) =>
      id === 'batch-1'
        ? Promise.reject(new VectorStoreUnavailableError('Chroma is down'))
        : Promise.resolve(),
    );
    start(service, 3);
    const job = await finished();
    expect(job).toMatchObject({ state: 'failed', error: 'Chroma is down' });
    expect(calls.get('batch-1')).toBe(3);
  });

  it('does not repeat a batch that failed for another reason', async () => {
    const { service, calls } = documentsService((id) =>
      id === 'batch-0' ? Promise.reject(new Error('a bug')) : Promise.resolve(),
    );
    start(service, 2);
    expect(await finished()).toMatchObject({ state: 'failed', error: 'a bug' });
    expect(calls.get('batch-0')).toBe(1);
  });

  it('retries saving progress after a transient failure', async () => {
    const { service } = documentsService(() => Promise.resolve());
    // Save 1 claims the job, 2 takes the lease, 3 saves the first batch's progress.
    start(service, 2, {}, [2, 3]);
    const job = await finished();
    expect(job).toMatchObject({ state: 'succeeded', batchesDone: 2 });
  });

  // Unhandled, the later batch's rejection would end the process (Node's default); Jest's
  // sandbox swallows that, so this checks the outcome: the job fails with that batch's error.
  it('fails the job when a later batch fails while an earlier one still runs', async () => {
    const { service } = documentsService(async (id) => {
      if (id === 'batch-0') await new Promise((resolve) => setTimeout(resolve, 50));
      if (id === 'batch-1') throw new Error('later batch failed');
    });
    start(service, 3, { INGEST_PIPELINE_DEPTH: '3' });
    expect(await finished()).toMatchObject({ state: 'failed', error: 'later batch failed' });
  });

  it('stops after a cancel request, within the batches already started, and ends cancelled', async () => {
    const { service, calls } = documentsService((id) => {
      if (id === 'batch-1') store.cancelled = true;
      return Promise.resolve();
    });
    start(service, 6, { INGEST_PIPELINE_DEPTH: '1' });
    const job = await finished();
    expect(job.state).toBe('cancelled');
    expect(job.batchesDone).toBeLessThan(6);
    expect(calls.has('batch-5')).toBe(false);
  });

  it('deletes jobs finished longer than INGEST_JOB_RETENTION_MS ago on every sweep', async () => {
    const { service } = documentsService(() => Promise.resolve());
    const before = Date.now();
    start(service, 1, { INGEST_JOB_RETENTION_MS: '60000' });
    await finished();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(store.deleteFinishedBefore).toHaveBeenCalled();
    const [cutoff, limit] = store.deleteFinishedBefore.mock.calls[0];
    expect(cutoff).toBeGreaterThanOrEqual(before - 60_000);
    expect(cutoff).toBeLessThanOrEqual(Date.now() - 60_000);
    expect(limit).toBeGreaterThan(0);
  });
});
