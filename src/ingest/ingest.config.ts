import type { Env } from '../config/env.schema';

/** Bulk ingest: upload limits, job concurrency and leases (see src/ingest/README.md). */
export abstract class IngestConfig {
  abstract readonly maxFileBytes: number;
  abstract readonly maxFiles: number;
  /** One upload's bytes, declared or counted as they arrive: beyond, 413 at once. */
  abstract readonly maxRequestBytes: number;
  /** Upload bytes held in memory across all requests at once: beyond, 503 + Retry-After. */
  abstract readonly uploadBudgetBytes: number;
  /** Queued or running jobs one caller may have at once. */
  abstract readonly maxJobsPerUser: number;
  /** Jobs one API task runs at once. */
  abstract readonly concurrency: number;
  /** Upsert batches of one job in flight at once, so embedding and writes overlap. */
  abstract readonly pipelineDepth: number;
  /** Chunks per stored batch (one upsert call), at most MAX_DOCUMENTS_PER_REQUEST documents. */
  abstract readonly batchChunks: number;
  /** Text extraction of one file (PDF and DOCX readers run in a worker stopped after this). */
  abstract readonly extractTimeoutMs: number;
  /** What a DOCX may inflate to in all, and one PDF stream: more is a decompression bomb. */
  abstract readonly maxDecompressedBytes: number;
  /** The text of one file, all its parts and pages together: more fails the file. */
  abstract readonly maxFileTextBytes: number;
  /** The heap of each PDF or DOCX reader worker; a reader that runs out fails its file. */
  abstract readonly extractWorkerMaxHeapMb: number;
  /** A running job whose owner has not renewed its lease for this long is resumed elsewhere. */
  abstract readonly leaseMs: number;
  /** Wait between writing a lease and re-reading it to see who won (no compare-and-set). */
  abstract readonly settleMs: number;
  /** How often each task looks for queued jobs and jobs with expired leases. */
  abstract readonly sweepMs: number;
  /** Retries of a batch that failed because the store was unavailable or timed out. */
  abstract readonly batchRetries: number;
  /** Wait before the first of those retries; it doubles for each next one. */
  abstract readonly batchRetryDelayMs: number;
  /** Finished job records older than this are deleted by the sweep. */
  abstract readonly jobRetentionMs: number;
  /** Jobs one page of GET /ingest/jobs may hold (`limit`). */
  abstract readonly jobsPageMax: number;
}

/** Built once at boot from the validated environment (IngestModule's provider). */
export const ingestConfigFrom = (env: Env): IngestConfig => ({
  maxFileBytes: env.INGEST_MAX_FILE_BYTES,
  maxFiles: env.INGEST_MAX_FILES,
  maxRequestBytes: env.INGEST_MAX_REQUEST_BYTES,
  uploadBudgetBytes: env.INGEST_UPLOAD_BUDGET_BYTES,
  maxJobsPerUser: env.INGEST_MAX_JOBS_PER_USER,
  concurrency: env.INGEST_CONCURRENCY,
  pipelineDepth: env.INGEST_PIPELINE_DEPTH,
  batchChunks: env.INGEST_BATCH_CHUNKS,
  extractTimeoutMs: env.INGEST_EXTRACT_TIMEOUT_MS,
  maxDecompressedBytes: env.INGEST_MAX_DECOMPRESSED_BYTES,
  maxFileTextBytes: env.INGEST_MAX_FILE_TEXT_BYTES,
  extractWorkerMaxHeapMb: env.INGEST_EXTRACT_WORKER_MAX_HEAP_MB,
  leaseMs: env.INGEST_LEASE_MS,
  settleMs: env.INGEST_SETTLE_MS,
  sweepMs: env.INGEST_SWEEP_MS,
  batchRetries: env.INGEST_BATCH_RETRIES,
  batchRetryDelayMs: env.INGEST_BATCH_RETRY_DELAY_MS,
  jobRetentionMs: env.INGEST_JOB_RETENTION_MS,
  jobsPageMax: env.INGEST_JOBS_PAGE_MAX,
});
