import type { Principal } from '../auth/principal';
import type { Metadata } from '../vector-store/vector-store.port';

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const isFinished = (state: JobState): boolean =>
  state === 'succeeded' || state === 'failed' || state === 'cancelled';

export interface StoredDocument {
  id: string;
  text: string;
  metadata: Metadata;
}

/** One unit of work: one DocumentsService.upsert call, stored at accept time. */
export interface StoredBatch {
  documents: StoredDocument[];
  /** PDFs whose last document is in this batch: pages after `pages` are stale and deleted. */
  pdfs: { id: string; pages: number }[];
  /**
   * Texts whose last part is in this batch: parts after `parts` are stale and deleted.
   * Absent in batches stored before texts were split.
   */
  parted?: { id: string; parts: number }[];
}

export interface FileFailure {
  file: string;
  reason: string;
}

/** A job as stored in Chroma; every task reads and resumes it from there. */
export interface IngestJob {
  id: string;
  state: JobState;
  collection: string;
  /** The caller's grants at accept time: whoever resumes the job writes as them. */
  owner: Principal;
  /** `skipped` is absent from jobs stored before empty files were skipped. */
  files: { total: number; failed: number; skipped?: number };
  documents: { total: number; done: number; unchanged: number };
  chunks: { total: number; done: number; unchanged: number };
  failures: FileFailure[];
  /** Files with nothing to index (empty): neither stored nor failed. */
  skipped?: FileFailure[];
  batches: number;
  /** Batches 0..batchesDone-1 are written: a resumed job starts after them. */
  batchesDone: number;
  lease?: { owner: string; expiresAt: number };
  error?: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  updatedAt: number;
}
