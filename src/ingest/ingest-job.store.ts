import { Injectable } from '@nestjs/common';
import { systemCollection } from '../collections/collection-names';
import { parseRecord, SystemRecordsStore } from '../collections/system-records.store';
import { VectorStore, type StoredRecord } from '../vector-store/vector-store.port';
import { decodeBatch, encodeBatch } from './batch-codec';
import { JOB_STATES, isFinished, type IngestJob, type StoredBatch } from './ingest-job';

const JOBS = 'jobs';
export const JOBS_COLLECTION = systemCollection(JOBS);
/** Characters of stored batches per store call, so a large job is written in several requests. */
const WRITE_CHARS = 8_000_000;

const FINISHED_STATES = JOB_STATES.filter(isFinished);

const jobKey = (id: string) => `job:${id}`;
const batchKey = (id: string, seq: number) => `batch:${id}:${seq}`;
const cancelKey = (id: string) => `cancel:${id}`;

/**
 * Jobs, their extracted documents and cancel requests, kept in Chroma's system records so that
 * every API task sees them and any task can resume a job whose owner died. A cancel request is
 * its own record, written only by DELETE, so a runner saving progress can never overwrite it.
 */
@Injectable()
export class IngestJobStore {
  private readonly records: SystemRecordsStore;

  constructor(store: VectorStore) {
    this.records = new SystemRecordsStore(store, JOBS);
  }

  async save(job: IngestJob): Promise<void> {
    await this.records.put(jobKey(job.id), job, {
      kind: 'job',
      job_id: job.id,
      owner: job.owner.sub,
      state: job.state,
      // For the retention sweep, which filters on it in Chroma.
      ...(job.finishedAt === undefined ? {} : { finished_at: job.finishedAt }),
    });
  }

  async get(id: string): Promise<IngestJob | undefined> {
    return this.records.get<IngestJob>(jobKey(id));
  }

  /** Queued or running jobs, of one owner when given. */
  async unfinished(ownerSub?: string): Promise<IngestJob[]> {
    const conditions: Record<string, unknown>[] = [
      { kind: { $eq: 'job' } },
      { state: { $in: ['queued', 'running'] } },
    ];
    if (ownerSub !== undefined) conditions.push({ owner: { $eq: ownerSub } });
    return (await this.records.find({ $and: conditions })).map(parseRecord<IngestJob>);
  }

  /** Every job of one owner, in no particular order (Chroma does not sort). */
  async ofOwner(ownerSub: string): Promise<IngestJob[]> {
    const where = { $and: [{ kind: { $eq: 'job' } }, { owner: { $eq: ownerSub } }] };
    return (await this.records.find(where)).map(parseRecord<IngestJob>);
  }

  /**
   * Deletes up to `limit` jobs that finished before `cutoff`, with any batch or cancel record
   * a crash left behind; returns how many. Records written before `finished_at` existed are kept.
   */
  async deleteFinishedBefore(cutoff: number, limit: number): Promise<number> {
    const expired = await this.records.find(
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
    await this.records.deleteWhere({ job_id: { $in: ids } });
    return ids.length;
  }

  /**
   * Writes the batches in a few large requests rather than one enormous one; stops before the
   * next request once `signal` aborted, throwing its reason.
   */
  async saveBatches(id: string, batches: StoredBatch[], signal?: AbortSignal): Promise<void> {
    let pending: StoredRecord[] = [];
    let chars = 0;
    for (const [seq, batch] of batches.entries()) {
      const text = await encodeBatch(batch);
      pending.push({ id: batchKey(id, seq), text, metadata: { kind: 'batch', job_id: id } });
      chars += text.length;
      if (chars >= WRITE_CHARS) {
        signal?.throwIfAborted();
        await this.records.write(pending);
        pending = [];
        chars = 0;
      }
    }
    signal?.throwIfAborted();
    await this.records.write(pending);
  }

  async batch(id: string, seq: number): Promise<StoredBatch> {
    const [record] = await this.records.read([batchKey(id, seq)]);
    if (!record) throw new Error(`batch ${seq} of ingest job ${id} is missing`);
    return decodeBatch(record.text);
  }

  /** The extracted texts are only needed until the job ends. */
  async deleteBatches(id: string): Promise<void> {
    await this.records.deleteWhere({
      $and: [{ job_id: { $eq: id } }, { kind: { $in: ['batch', 'cancel'] } }],
    });
  }

  async requestCancel(id: string): Promise<void> {
    await this.records.write([
      { id: cancelKey(id), text: 'cancel', metadata: { kind: 'cancel', job_id: id } },
    ]);
  }

  /** The job and whether a cancel was requested, in one read: a runner checks both per batch. */
  async withCancel(id: string): Promise<{ job?: IngestJob; cancelRequested: boolean }> {
    const records = await this.records.read([jobKey(id), cancelKey(id)]);
    const job = records.find((record) => record.id === jobKey(id));
    return {
      job: job && parseRecord<IngestJob>(job),
      cancelRequested: records.some((record) => record.id === cancelKey(id)),
    };
  }
}
