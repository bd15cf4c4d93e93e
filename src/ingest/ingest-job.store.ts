import { Injectable } from '@nestjs/common';
import type { EmbedderFingerprint } from '../embeddings/embedder.port';
import { SYSTEM_PREFIX } from '../vector-store/collection-registry';
import { VectorStore, type VectorRecord } from '../vector-store/vector-store.port';
import { decodeBatch, encodeBatch } from './batch-codec';
import { JOB_STATES, isFinished, type IngestJob, type StoredBatch } from './ingest-job';

export const JOBS_COLLECTION = `${SYSTEM_PREFIX}jobs`;
/** Records hold JSON; Chroma still wants a vector for each. */
const JOBS_FINGERPRINT: EmbedderFingerprint = { provider: 'system', model: 'jobs', dimension: 1 };
/** Characters of stored batches per store call, so a large job is written in several requests. */
const WRITE_CHARS = 8_000_000;

const FINISHED_STATES = JOB_STATES.filter(isFinished);

const jobKey = (id: string) => `job:${id}`;
const batchKey = (id: string, seq: number) => `batch:${id}:${seq}`;
const cancelKey = (id: string) => `cancel:${id}`;

/**
 * Jobs, their extracted documents and cancel requests, kept in Chroma so that every API task
 * sees them and any task can resume a job whose owner died. A cancel request is its own
 * record, written only by DELETE, so a runner saving progress can never overwrite it.
 */
@Injectable()
export class IngestJobStore {
  private ensured?: Promise<unknown>;

  constructor(private readonly store: VectorStore) {}

  async save(job: IngestJob): Promise<void> {
    await this.write([
      {
        id: jobKey(job.id),
        embedding: [1],
        text: JSON.stringify(job),
        metadata: {
          kind: 'job',
          job_id: job.id,
          owner: job.owner.sub,
          state: job.state,
          // For the retention sweep, which filters on it in Chroma.
          ...(job.finishedAt === undefined ? {} : { finished_at: job.finishedAt }),
        },
      },
    ]);
  }

  async get(id: string): Promise<IngestJob | undefined> {
    await this.ensure();
    const [record] = await this.store.getByIds(JOBS_COLLECTION, [jobKey(id)]);
    return record ? (JSON.parse(record.text) as IngestJob) : undefined;
  }

  /** Queued or running jobs, of one owner when given. */
  async unfinished(ownerSub?: string): Promise<IngestJob[]> {
    await this.ensure();
    const conditions: Record<string, unknown>[] = [
      { kind: { $eq: 'job' } },
      { state: { $in: ['queued', 'running'] } },
    ];
    if (ownerSub !== undefined) conditions.push({ owner: { $eq: ownerSub } });
    const records = await this.store.find(JOBS_COLLECTION, { $and: conditions });
    return records.map((record) => JSON.parse(record.text) as IngestJob);
  }

  /**
   * Deletes up to `limit` jobs that finished before `cutoff`, with any batch or cancel record
   * a crash left behind; returns how many. Records written before `finished_at` existed are kept.
   */
  async deleteFinishedBefore(cutoff: number, limit: number): Promise<number> {
    await this.ensure();
    const expired = await this.store.find(
      JOBS_COLLECTION,
      {
        $and: [
          { kind: { $eq: 'job' } },
          { state: { $in: FINISHED_STATES } },
          { finished_at: { $lt: cutoff } },
        ],
      },
      limit,
    );
    if (expired.length === 0) return 0;
    const ids = expired.map((record) => String(record.metadata.job_id));
    await this.store.deleteWhere(JOBS_COLLECTION, { job_id: { $in: ids } });
    return ids.length;
  }

  /** Writes the batches in a few large requests rather than one enormous one. */
  async saveBatches(id: string, batches: StoredBatch[]): Promise<void> {
    let pending: VectorRecord[] = [];
    let chars = 0;
    for (const [seq, batch] of batches.entries()) {
      const text = await encodeBatch(batch);
      pending.push({
        id: batchKey(id, seq),
        embedding: [1],
        text,
        metadata: { kind: 'batch', job_id: id },
      });
      chars += text.length;
      if (chars >= WRITE_CHARS) {
        await this.write(pending);
        pending = [];
        chars = 0;
      }
    }
    await this.write(pending);
  }

  async batch(id: string, seq: number): Promise<StoredBatch> {
    const [record] = await this.store.getByIds(JOBS_COLLECTION, [batchKey(id, seq)]);
    if (!record) throw new Error(`batch ${seq} of ingest job ${id} is missing`);
    return decodeBatch(record.text);
  }

  /** The extracted texts are only needed until the job ends. */
  async deleteBatches(id: string): Promise<void> {
    await this.store.deleteWhere(JOBS_COLLECTION, {
      $and: [{ job_id: { $eq: id } }, { kind: { $in: ['batch', 'cancel'] } }],
    });
  }

  async requestCancel(id: string): Promise<void> {
    await this.write([
      {
        id: cancelKey(id),
        embedding: [1],
        text: 'cancel',
        metadata: { kind: 'cancel', job_id: id },
      },
    ]);
  }

  async cancelRequested(id: string): Promise<boolean> {
    return (await this.store.getByIds(JOBS_COLLECTION, [cancelKey(id)])).length > 0;
  }

  private async write(records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.ensure();
    await this.store.upsert(JOBS_COLLECTION, records);
  }

  private ensure(): Promise<unknown> {
    this.ensured ??= this.store
      .ensureCollection(JOBS_COLLECTION, JOBS_FINGERPRINT)
      .catch((error: unknown) => {
        this.ensured = undefined;
        throw error;
      });
    return this.ensured;
  }
}
