import {
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Leases } from '../collections/lease';
import {
  DomainError,
  NotFoundError,
  UpstreamTimeoutError,
  VectorStoreUnavailableError,
} from '../common/domain-errors';
import { DocumentsService } from '../documents/documents.service';
import type { DocumentUpsertResultDto } from '../documents/dto/upsert-documents.dto';
import { NOOP_RECORDER, OperationRecorder } from '../observability/operation-recorder';
import { pageDocumentId, partDocumentId, type PartedText } from './extract';
import { IngestConfig } from './ingest.config';
import { IngestJobStore } from './ingest-job.store';
import type { FileFailure, IngestJob, StoredBatch, StoredDocument } from './ingest-job';

/** What one batch did, folded into the job in batch order. */
interface BatchResult {
  results: DocumentUpsertResultDto[];
  failures: FileFailure[];
}

/** Why a run stops before its last batch. */
type Stop = 'cancelled' | 'lost' | 'shutdown';

/** Finished jobs deleted per sweep, so a large backlog is worked off over several sweeps. */
const EXPIRED_PER_SWEEP = 100;

/** Failures a later attempt may not meet: Chroma restarting, overloaded or slow. */
const isTransient = (error: unknown): boolean =>
  error instanceof VectorStoreUnavailableError || error instanceof UpstreamTimeoutError;

/** Errors that concern one document's content: the others in its batch still go in. */
const isDocumentError = (error: unknown): error is DomainError =>
  error instanceof DomainError &&
  (error.kind === 'validation' || error.kind === 'payload_too_large');

/**
 * Runs ingest jobs stored by IngestJobStore, at most INGEST_CONCURRENCY per task. A job is
 * claimed with a lease (Leases, settling for INGEST_SETTLE_MS: of two tasks racing, the loser
 * backs off). The owner renews the lease with every batch and on a timer; a periodic sweep on
 * every task resumes jobs whose lease expired from their last written batch, which is safe
 * because upserts are idempotent. For the same reason a batch that met a transient store
 * failure is simply run again, a few times.
 */
@Injectable()
export class IngestRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IngestRunner.name);
  private readonly limits: IngestConfig;
  private readonly leases: Leases;
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private sweepAgain = false;
  private closing = false;

  constructor(
    config: IngestConfig,
    private readonly jobs: IngestJobStore,
    private readonly documents: DocumentsService,
    @Optional() private readonly recorder: OperationRecorder = NOOP_RECORDER,
  ) {
    this.limits = config;
    this.leases = new Leases(this.limits.settleMs);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), this.limits.sweepMs);
    this.timer.unref();
    this.kick();
  }

  /** Stops this task's runs after their in-flight batches; their leases are released. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    // After the sweep: a claim it is making would start a run missing from the list below.
    await this.sweeping;
    const runs = [...this.running.values()];
    for (const run of runs) run.abort.abort();
    await Promise.allSettled(runs.map((run) => run.done));
  }

  /** Looks for work now; a call during a sweep makes it look once more when done. */
  kick(): void {
    if (this.closing) return;
    if (this.sweeping) {
      this.sweepAgain = true;
      return;
    }
    this.sweeping = this.sweep()
      .catch((error: unknown) => this.logger.warn(`ingest sweep failed: ${String(error)}`))
      .finally(() => {
        this.sweeping = undefined;
        if (this.sweepAgain) {
          this.sweepAgain = false;
          this.kick();
        }
      });
  }

  private async sweep(): Promise<void> {
    await this.claimWaiting();
    await this.deleteExpired();
  }

  private async claimWaiting(): Promise<void> {
    const candidates = (await this.jobs.unfinished()).sort((a, b) => a.createdAt - b.createdAt);
    for (const job of candidates) {
      if (this.closing || this.running.size >= this.limits.concurrency) return;
      if (this.running.has(job.id) || (job.lease && job.lease.expiresAt > Date.now())) continue;
      await this.claim(job);
    }
  }

  private async deleteExpired(): Promise<void> {
    if (this.closing) return;
    const cutoff = Date.now() - this.limits.jobRetentionMs;
    const deleted = await this.jobs.deleteFinishedBefore(cutoff, EXPIRED_PER_SWEEP);
    if (deleted > 0) this.logger.log(`deleted ${deleted} ingest jobs past INGEST_JOB_RETENTION_MS`);
  }

  private async claim(job: IngestJob): Promise<void> {
    const abort = new AbortController();
    // The slot is taken before the first await, so the concurrency limit holds.
    const slot = { abort, done: Promise.resolve() };
    this.running.set(job.id, slot);
    try {
      const now = Date.now();
      const claimed: IngestJob = {
        ...job,
        state: 'running',
        startedAt: job.startedAt ?? now,
        lease: { owner: this.leases.owner, expiresAt: now + this.limits.leaseMs },
        updatedAt: now,
      };
      const won = await this.leases.claim({
        write: () => this.jobs.save(claimed),
        readBack: () => this.jobs.get(job.id),
        isOurs: (stored) => stored.lease?.owner === this.leases.owner,
      });
      if (!won) {
        this.running.delete(job.id);
        return;
      }
      slot.done = this.run(claimed, abort.signal)
        .catch((error: unknown) => this.logger.error(`ingest job ${job.id}: ${String(error)}`))
        .finally(() => {
          this.running.delete(job.id);
          this.kick();
        });
    } catch (error) {
      this.running.delete(job.id);
      throw error;
    }
  }

  private async run(job: IngestJob, signal: AbortSignal): Promise<void> {
    let stop: Stop | undefined;
    // One write of the job record at a time: the timer and the batches both renew it.
    let writes = Promise.resolve();
    const renew = () => {
      // Chained after a failed write too, so one failed renewal does not fail every later one.
      writes = writes
        .catch(() => undefined)
        .then(async () => {
          if (stop === 'cancelled' || stop === 'lost') return;
          const stored = await this.jobs.withCancel(job.id);
          if (stored.cancelRequested) stop = 'cancelled';
          else if (stored.job?.lease?.owner !== this.leases.owner) stop = 'lost';
          else {
            const now = Date.now();
            job.lease = { owner: this.leases.owner, expiresAt: now + this.limits.leaseMs };
            job.updatedAt = now;
            await this.jobs.save(job);
          }
        });
      return writes;
    };
    const heartbeat = setInterval(() => {
      renew().catch((error: unknown) => this.logger.warn(`lease renewal: ${String(error)}`));
    }, this.limits.leaseMs / 3);
    const stopped = () => stop ?? (signal.aborted ? 'shutdown' : undefined);

    const inFlight: Promise<BatchResult>[] = [];
    let saving = Promise.resolve();
    try {
      await this.retrying(`job ${job.id} lease`, renew);
      let next = job.batchesDone;
      const fold = async () => {
        const result = await inFlight.shift()!;
        await saving;
        this.apply(job, result);
        // Saved while the next batch starts: this write queues in Chroma behind the other
        // batches' upserts, and waiting for it left a slow embedder idle (bench/ingest).
        saving = this.retrying(`job ${job.id} progress`, renew);
        saving.catch(() => undefined);
      };
      // Up to INGEST_PIPELINE_DEPTH batches at once: one embeds while others are written.
      while (next < job.batches && !stopped()) {
        const seq = next++;
        const batch = this.retrying(`job ${job.id} batch ${seq}`, () => this.process(job, seq));
        // A later batch may fail while an earlier one is awaited; unhandled, that ends the process.
        batch.catch(() => undefined);
        inFlight.push(batch);
        if (inFlight.length >= this.limits.pipelineDepth) await fold();
      }
      while (inFlight.length > 0) await fold();
      await saving;
    } catch (error) {
      await Promise.allSettled([...inFlight, saving]);
      clearInterval(heartbeat);
      await writes.catch(() => undefined);
      await this.finish(job, 'failed', error instanceof Error ? error.message : String(error));
      return;
    }
    clearInterval(heartbeat);
    // A failed heartbeat after the last batch was logged; finishing writes the record anyway.
    await writes.catch(() => undefined);
    const reason = stopped();
    if (reason === 'lost') return;
    if (reason === 'shutdown') {
      // Released, so another task resumes at once rather than after the lease runs out.
      await this.jobs.save({ ...job, lease: { owner: this.leases.owner, expiresAt: 0 } });
      return;
    }
    await this.finish(job, reason === 'cancelled' ? 'cancelled' : 'succeeded');
  }

  private async finish(
    job: IngestJob,
    state: 'succeeded' | 'failed' | 'cancelled',
    error?: string,
  ): Promise<void> {
    const now = Date.now();
    await this.jobs.save({
      ...job,
      state,
      ...(error ? { error } : {}),
      lease: undefined,
      finishedAt: now,
      updatedAt: now,
    });
    await this.jobs.deleteBatches(job.id);
    this.logger.log(`ingest job ${job.id} ${state}`);
  }

  /** Runs `attempt`, again after a transient failure, at most INGEST_BATCH_RETRIES more times. */
  private async retrying<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt();
      } catch (error) {
        if (!isTransient(error) || retry >= this.limits.batchRetries) throw error;
        const delay = this.limits.batchRetryDelayMs * 2 ** retry;
        this.logger.warn(`ingest ${what}: ${String(error)}; retry ${retry + 1} in ${delay} ms`);
        await sleep(delay);
      }
    }
  }

  private apply(job: IngestJob, { results, failures }: BatchResult): void {
    for (const result of results) {
      const unchanged = result.status === 'unchanged' ? 1 : 0;
      job.documents.done += 1;
      job.documents.unchanged += unchanged;
      job.chunks.done += result.chunks;
      job.chunks.unchanged += unchanged * result.chunks;
      this.recorder.ingestChunks(unchanged ? 'unchanged' : 'written', result.chunks);
    }
    job.failures.push(...failures);
    job.files.failed = new Set(job.failures.map((failure) => failure.file)).size;
    job.batchesDone += 1;
  }

  private async process(job: IngestJob, seq: number): Promise<BatchResult> {
    const batch = await this.jobs.batch(job.id, seq);
    const result = await this.upsert(job, batch.documents);
    for (const pdf of batch.pdfs) await this.deleteStalePages(job, pdf);
    const parted = batch.parted ?? [];
    const shrunk = await this.deleteStaleParts(job, parted);
    const nowWhole = new Set(parted.filter(({ parts }) => parts === 1).map(({ id }) => id));
    for (const doc of batch.documents) {
      if (shrunk.has(doc.id) && nowWhole.has(doc.id)) await this.rewrite(job, doc);
    }
    return result;
  }

  private async upsert(job: IngestJob, documents: StoredDocument[]): Promise<BatchResult> {
    const upsert = (docs: StoredDocument[]) =>
      this.documents.upsert(job.owner, { collection: job.collection, documents: docs });
    try {
      return { results: (await upsert(documents)).results, failures: [] };
    } catch (error) {
      if (!isDocumentError(error)) throw error;
    }
    // The batch was refused whole (validated before any write): find the culprits one by one.
    const outcome: BatchResult = { results: [], failures: [] };
    for (const doc of documents) {
      try {
        outcome.results.push(...(await upsert([doc])).results);
      } catch (error) {
        if (!isDocumentError(error)) throw error;
        const file = typeof doc.metadata.source === 'string' ? doc.metadata.source : doc.id;
        outcome.failures.push({ file, reason: error.message.replace(/^documents\[0\]\./, '') });
      }
    }
    return outcome;
  }

  /**
   * Pages a previous, longer version of the PDF had, and their parts: deleted after the new
   * pages exist.
   */
  private async deleteStalePages(job: IngestJob, pdf: StoredBatch['pdfs'][number]) {
    for (let page = pdf.pages + 1; ; page++) {
      const id = pageDocumentId(pdf.id, page);
      try {
        await this.documents.deleteDocument(job.owner, id, job.collection);
      } catch (error) {
        if (error instanceof NotFoundError) return;
        throw error;
      }
      await this.deleteStaleParts(job, [{ id, parts: 1 }]);
    }
  }

  /**
   * Parts a previous, longer version of each text had: part `parts + 1` of every text is looked
   * up at once (one lookup per batch, which usually finds none), then the next of those found.
   * Answers the ids of the texts that had such parts.
   */
  private async deleteStaleParts(job: IngestJob, texts: PartedText[]): Promise<Set<string>> {
    const shrunk = new Set<string>();
    let next = texts.map(({ id, parts }) => ({ id, part: parts + 1 }));
    while (next.length > 0) {
      const ids = next.map(({ id, part }) => partDocumentId(id, part));
      const deleted = new Set(await this.documents.deleteExisting(job.owner, ids, job.collection));
      next = next
        .filter(({ id, part }) => deleted.has(partDocumentId(id, part)))
        .map(({ id, part }) => ({ id, part: part + 1 }));
      for (const { id } of next) shrunk.add(id);
    }
    return shrunk;
  }

  /**
   * Writes a document afresh. Chroma merges metadata on upsert, so a text that was in parts
   * and now fits would keep its old `part`/`parts` keys: it is deleted and written again (a
   * crash in between is repaired by the batch's replay).
   */
  private async rewrite(job: IngestJob, doc: StoredDocument) {
    await this.documents.deleteDocument(job.owner, doc.id, job.collection);
    await this.documents.upsert(job.owner, { collection: job.collection, documents: [doc] });
  }
}
