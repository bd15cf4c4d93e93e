import { Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { canAccessCollection } from '../auth/collection-access';
import { hasRole, type Principal } from '../auth/principal';
import { checkLogicalName } from '../collections/collection-names';
import {
  DomainError,
  InvalidInputError,
  NotFoundError,
  TooManyRequestsError,
} from '../common/domain-errors';
import { DocumentsConfig } from '../documents/documents.config';
import type { HandlerDeadline } from '../observability/handler-deadline';
import { NOOP_RECORDER, OperationRecorder } from '../observability/operation-recorder';
import { chunkText } from '../documents/chunker';
import { checkDocumentId } from '../documents/document-id';
import type { DocumentInputDto } from '../documents/dto/upsert-documents.dto';
import { planBatches, type PlannedFile } from './batch-plan';
import type { IngestJobDto, IngestJobPageDto } from './dto/ingest-job.dto';
import { extractFile, type UploadedFile } from './extract';
import { FileRejectedError, NothingToIndexError } from './file-format';
import { isFinished, type FileFailure, type IngestJob } from './ingest-job';
import { IngestJobStore } from './ingest-job.store';
import { IngestRunner } from './ingest-runner';
import { IngestConfig } from './ingest.config';

/** Files extracted at once: PDF parsing takes a worker thread each. */
const EXTRACT_CONCURRENCY = 2;

export interface IngestRequest {
  collection?: string;
  files?: UploadedFile[];
  documents?: DocumentInputDto[];
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function toJobDto(job: IngestJob, now = Date.now()): IngestJobDto {
  const { total, done } = job.chunks;
  const progress =
    job.state === 'succeeded'
      ? 100
      : total > 0
        ? Math.min(100, Math.round((done / total) * 1000) / 10)
        : 0;
  const elapsed = job.startedAt === undefined ? 0 : (job.finishedAt ?? now) - job.startedAt;
  return {
    id: job.id,
    state: job.state,
    collection: job.collection,
    progress,
    files: { ...job.files, skipped: job.files.skipped ?? 0 },
    documents: job.documents,
    chunks: job.chunks,
    failures: job.failures,
    skipped: job.skipped ?? [],
    ...(job.error ? { error: job.error } : {}),
    created_at: iso(job.createdAt)!,
    started_at: iso(job.startedAt),
    finished_at: iso(job.finishedAt),
    elapsed_ms: elapsed,
    chunks_per_second: elapsed > 0 ? Math.round((done / elapsed) * 10_000) / 10 : 0,
  };
}

const DEFAULT_PAGE_SIZE = 20;

type JobPosition = Pick<IngestJob, 'createdAt' | 'id'>;

/** Newest first; jobs created in the same millisecond by id, so pages never overlap. */
const newestFirst = (a: JobPosition, b: JobPosition): number =>
  b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** The last job of a page, opaque to clients. */
const encodeCursor = (job: JobPosition): string =>
  Buffer.from(`${job.createdAt}:${job.id}`).toString('base64url');

function decodeCursor(cursor: string): JobPosition {
  const match = /^(\d{1,15}):([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new InvalidInputError('cursor', 'is not a next_cursor this API returned');
  return { createdAt: Number(match[1]), id: match[2] };
}

/**
 * Accepts ingest jobs: checks limits, extracts text from every file at once (so any task can
 * resume the job from the store, without the upload), plans batches and hands over to the runner.
 */
@Injectable()
export class IngestJobsService {
  constructor(
    private readonly documentLimits: DocumentsConfig,
    private readonly limits: IngestConfig,
    private readonly jobs: IngestJobStore,
    private readonly runner: IngestRunner,
    @Optional() private readonly recorder: OperationRecorder = NOOP_RECORDER,
  ) {}

  /**
   * Nothing is stored once the request's deadline passed: extraction stops, batches written so
   * far are deleted again, and the job record (what makes the job exist) is written only after
   * `deadline.commit()`.
   */
  async create(
    user: Principal,
    deadline: HandlerDeadline,
    input: IngestRequest,
  ): Promise<IngestJobDto> {
    const { signal } = deadline;
    const { limits } = this;
    const collection = input.collection ?? this.documentLimits.defaultCollection;
    checkLogicalName(collection);
    if (!canAccessCollection(user, collection)) throw new NotFoundError('collection', collection);
    const count = (input.files?.length ?? 0) + (input.documents?.length ?? 0);
    if (count === 0 || (input.files?.length && input.documents?.length)) {
      throw new InvalidInputError('files', 'send either files (multipart) or documents (JSON)');
    }
    if (count > limits.maxFiles) {
      throw new DomainError(
        'payload_too_large',
        `files: more than ${limits.maxFiles} files or documents in one job (INGEST_MAX_FILES)`,
      );
    }
    input.documents?.forEach((doc, i) =>
      checkDocumentId(doc.id, `documents[${i}].id`, this.documentLimits.maxIdChars),
    );
    const active = await this.jobs.unfinished(user.sub);
    if (active.length >= limits.maxJobsPerUser) {
      throw new TooManyRequestsError(
        `at most ${limits.maxJobsPerUser} ingest jobs may be queued or running per user (INGEST_MAX_JOBS_PER_USER)`,
        Math.ceil(limits.sweepMs / 1000),
      );
    }

    const failures: FileFailure[] = [];
    const skipped: FileFailure[] = [];
    const planned = input.files
      ? await this.extractAll(input.files, { failures, skipped }, signal)
      : input.documents!.map((doc): PlannedFile => ({
          documents: [{ ...doc, metadata: doc.metadata ?? {} }],
        }));
    const chunking = {
      size: this.documentLimits.chunkSize,
      overlap: this.documentLimits.chunkOverlap,
    };
    signal.throwIfAborted();
    const plan = planBatches(planned, (text) => chunkText(text, chunking).length, {
      maxChunks: limits.batchChunks,
      maxDocuments: this.documentLimits.maxDocumentsPerRequest,
    });
    const now = Date.now();
    const empty = plan.batches.length === 0;
    const job: IngestJob = {
      id: randomUUID(),
      // Nothing extracted (every file failed or was empty) is a finished job, not one waiting for a runner.
      state: empty ? 'succeeded' : 'queued',
      collection,
      owner: user,
      files: { total: count, failed: failures.length, skipped: skipped.length },
      documents: { total: plan.documents, done: 0, unchanged: 0 },
      chunks: { total: plan.chunks, done: 0, unchanged: 0 },
      failures,
      skipped,
      batches: plan.batches.length,
      batchesDone: 0,
      createdAt: now,
      ...(empty ? { startedAt: now, finishedAt: now } : {}),
      updatedAt: now,
    };
    // Batches first: a job record never points at documents that are not stored yet.
    try {
      await this.jobs.saveBatches(job.id, plan.batches, signal);
      deadline.commit();
    } catch (error) {
      // Without a job record nothing reads them; deleted so the store is as it was. A failed
      // delete leaves them unread; the error answered is the one that stopped the job.
      await this.jobs.deleteBatches(job.id).catch(() => undefined);
      throw error;
    }
    await this.jobs.save(job);
    this.recorder.ingestFiles('accepted', count - failures.length - skipped.length);
    this.recorder.ingestFiles('skipped', skipped.length);
    this.recorder.ingestFiles('rejected', failures.length);
    this.runner.kick();
    return toJobDto(job);
  }

  /**
   * The caller's own jobs (admins too: their listing is theirs; any job is still readable by
   * id), newest first, `limit` per page after `cursor`; jobs in collections the caller may no
   * longer see are left out, as GET by id hides them.
   */
  async list(
    user: Principal,
    page: { limit?: number; cursor?: string },
  ): Promise<IngestJobPageDto> {
    const max = this.limits.jobsPageMax;
    const limit = page.limit ?? Math.min(DEFAULT_PAGE_SIZE, max);
    if (limit > max) {
      throw new InvalidInputError(
        'limit',
        `must not be greater than ${max} (INGEST_JOBS_PAGE_MAX)`,
      );
    }
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    const jobs = (await this.jobs.ofOwner(user.sub))
      .filter((job) => canAccessCollection(user, job.collection))
      .sort(newestFirst)
      .filter((job) => after === undefined || newestFirst(job, after) > 0);
    const shown = jobs.slice(0, limit);
    const last = shown.at(-1);
    return {
      jobs: shown.map((job) => toJobDto(job)),
      next_cursor: jobs.length > limit && last ? encodeCursor(last) : null,
    };
  }

  async get(user: Principal, id: string): Promise<IngestJobDto> {
    return toJobDto(await this.visible(user, id));
  }

  /** Stops the job after its in-flight batches; chunks already written stay. */
  async cancel(user: Principal, id: string): Promise<IngestJobDto> {
    const job = await this.visible(user, id);
    if (isFinished(job.state)) {
      throw new DomainError('conflict', `ingest job '${id}' already ${job.state}`);
    }
    await this.jobs.requestCancel(id);
    if (job.state === 'queued' && !job.lease) {
      // No runner has it: nobody else would finish it. A runner claiming it now sees the request.
      const now = Date.now();
      const cancelled: IngestJob = { ...job, state: 'cancelled', finishedAt: now, updatedAt: now };
      await this.jobs.save(cancelled);
      await this.jobs.deleteBatches(id);
      return toJobDto(cancelled);
    }
    return toJobDto(job);
  }

  /**
   * Someone else's job, or one in a collection the caller may no longer see (grants are read
   * from the token on every request), answers exactly like a missing one.
   */
  private async visible(user: Principal, id: string): Promise<IngestJob> {
    const job = await this.jobs.get(id);
    const owned = job && (job.owner.sub === user.sub || hasRole(user, 'admin'));
    if (!job || !owned || !canAccessCollection(user, job.collection)) {
      throw new NotFoundError('ingest job', id);
    }
    return job;
  }

  private async extractAll(
    files: UploadedFile[],
    report: { failures: FileFailure[]; skipped: FileFailure[] },
    signal: AbortSignal,
  ): Promise<PlannedFile[]> {
    const planned = new Array<PlannedFile | undefined>(files.length);
    const seen = new Set<string>();
    let next = 0;
    const worker = async () => {
      while (next < files.length && !signal.aborted) {
        const index = next++;
        const file = files[index];
        try {
          const extracted = await extractFile(file, {
            timeoutMs: this.limits.extractTimeoutMs,
            maxHeapMb: this.limits.extractWorkerMaxHeapMb,
            maxDecompressedBytes: this.limits.maxDecompressedBytes,
            maxTextBytes: this.documentLimits.maxTextBytes,
            maxFileTextBytes: this.limits.maxFileTextBytes,
            signal,
          });
          if (seen.has(extracted.id))
            throw new FileRejectedError('repeats another file of this job');
          seen.add(extracted.id);
          planned[index] = {
            documents: extracted.documents,
            parted: extracted.parted,
            pdf:
              extracted.pages === undefined
                ? undefined
                : { id: extracted.id, pages: extracted.pages },
          };
        } catch (error) {
          if (signal.aborted) throw error;
          // Anything a file does to its reader is that file's failure, never the job's.
          const reason =
            error instanceof FileRejectedError ? error.message : `unreadable: ${String(error)}`;
          const list = error instanceof NothingToIndexError ? report.skipped : report.failures;
          list.push({ file: file.name, reason });
        }
      }
    };
    await Promise.all(Array.from({ length: EXTRACT_CONCURRENCY }, worker));
    signal.throwIfAborted();
    return planned.filter((file): file is PlannedFile => file !== undefined);
  }
}
