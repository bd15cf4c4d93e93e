import { openAsBlob } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IngestJobDto } from './dto/ingest-job.dto';
import { uploadProgress } from './upload-progress';

interface LocalFile {
  path: string;
  /** Relative to the folder, `/`-separated: the name sent, which the API makes the document id. */
  name: string;
  size: number;
}

/** Files under `root`, depth first, one directory handle open at a time. */
async function* walk(root: string, dir = root): AsyncGenerator<LocalFile> {
  for await (const entry of await opendir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(root, path);
    else if (entry.isFile()) {
      const { size } = await stat(path);
      yield { path, name: relative(root, path).split('\\').join('/'), size };
    }
  }
}

/** Consecutive files grouped so each upload stays within the count and byte limits. */
function batches(files: LocalFile[], maxFiles: number, maxBytes: number): LocalFile[][] {
  const grouped: LocalFile[][] = [];
  let batch: LocalFile[] = [];
  let bytes = 0;
  for (const file of files) {
    if (batch.length > 0 && (batch.length >= maxFiles || bytes + file.size > maxBytes)) {
      grouped.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(file);
    bytes += file.size;
  }
  if (batch.length > 0) grouped.push(batch);
  return grouped;
}

/** The code of a connection failure fetch wraps as "fetch failed" (ECONNREFUSED, ENOTFOUND). */
function connectionCode(error: unknown): string | undefined {
  if (!(error instanceof TypeError) || !(error.cause instanceof Error)) return undefined;
  const cause = error.cause as Error & { code?: string; errors?: { code?: string }[] };
  return cause.code ?? cause.errors?.[0]?.code ?? cause.message;
}

class IngestClient {
  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  /** Starts a job; waits as the API's Retry-After says while the caller has too many. */
  async upload(files: LocalFile[], collection?: string): Promise<IngestJobDto> {
    for (;;) {
      const form = new FormData();
      if (collection) form.append('collection', collection);
      // Blobs backed by the files: read from disk as the request streams, not before.
      for (const file of files) form.append('files', await openAsBlob(file.path), file.name);
      const response = await this.request('POST', '/ingest/jobs', form);
      if (response.status !== 429) return (await this.json(response)) as IngestJobDto;
      await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
    }
  }

  async job(id: string): Promise<IngestJobDto> {
    return (await this.json(await this.request('GET', `/ingest/jobs/${id}`))) as IngestJobDto;
  }

  private async request(method: string, path: string, body?: FormData): Promise<Response> {
    try {
      return await fetch(new URL(path, this.url), {
        method,
        body,
        headers: { authorization: `Bearer ${this.token}` },
      });
    } catch (error) {
      const code = connectionCode(error);
      if (code === undefined) throw error;
      throw new Error(
        `could not reach ${this.url} (${code}) — is the API running? set --url or RAG_API_URL`,
      );
    }
  }

  private async json(response: Response): Promise<unknown> {
    const body = (await response.json()) as { message?: string };
    if (response.ok) return body;
    const hint = response.status === 401 ? ' (is RAG_API_TOKEN a token of this API?)' : '';
    throw new Error(`HTTP ${response.status}: ${body.message ?? 'error'}${hint}`);
  }
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/** What `npm run ingest` was asked to upload, and how. */
export interface FolderUpload {
  folder: string;
  url: string;
  token: string;
  collection?: string;
  batchFiles: number;
  batchBytes: number;
  /** Larger files are reported as failed, not sent. */
  maxFileBytes: number;
  /** Jobs queued or running at once. */
  jobs: number;
}

const sum = (jobs: IngestJobDto[], pick: (job: IngestJobDto) => number) =>
  jobs.reduce((n, job) => n + pick(job), 0);

/**
 * Uploads a folder to the API in batches of ingest jobs and waits for them, with progress and a
 * summary (every job id) on `out`; returns how many files failed and jobs did not succeed.
 * The folder is walked before the first upload, so progress counts towards a known total.
 */
export async function uploadFolder(
  options: FolderUpload,
  out: NodeJS.WriteStream = process.stdout,
): Promise<number> {
  const root = resolve(options.folder);
  const client = new IngestClient(options.url, options.token);
  const { maxFileBytes } = options;
  const maxJobs = Math.max(1, options.jobs);
  const tooLarge: { file: string; reason: string }[] = [];
  const sendable: LocalFile[] = [];
  let fileCount = 0;
  for await (const file of walk(root)) {
    fileCount++;
    if (file.size > maxFileBytes) {
      tooLarge.push({ file: file.name, reason: `larger than ${maxFileBytes} bytes` });
    } else sendable.push(file);
  }

  const started = Date.now();
  const finished: IngestJobDto[] = [];
  const running = new Map<string, IngestJobDto>();
  const progress = uploadProgress(out, fileCount);
  const chunks = () => sum([...finished, ...running.values()], (job) => job.chunks.done);
  const rate = () => Math.round(chunks() / Math.max(0.001, (Date.now() - started) / 1000));
  const update = () => {
    // A running job's files count in proportion to its chunks: whole once it finished.
    const partly = sum([...running.values()], (job) =>
      Math.floor((job.files.total * job.progress) / 100),
    );
    const done = tooLarge.length + sum(finished, (job) => job.files.total) + partly;
    progress.update(done, chunks(), rate());
  };
  const poll = async () => {
    for (const id of running.keys()) {
      const job = await client.job(id);
      running.set(id, job);
      if (FINISHED.has(job.state)) {
        running.delete(id);
        finished.push(job);
      }
    }
    update();
  };

  try {
    for (const batch of batches(sendable, options.batchFiles, options.batchBytes)) {
      while (running.size >= maxJobs) {
        await sleep(250);
        await poll();
      }
      const job = await client.upload(batch, options.collection);
      if (!out.isTTY) out.write(`job ${job.id} accepted: ${batch.length} files\n`);
      running.set(job.id, job);
      update();
    }
    while (running.size > 0) {
      await sleep(250);
      await poll();
    }
  } catch (error) {
    progress.stop();
    throw error;
  }
  progress.finish(chunks(), rate());

  const failures = [...tooLarge, ...finished.flatMap((job) => job.failures)];
  const skipped = finished.flatMap((job) => job.skipped);
  const seconds = (Date.now() - started) / 1000;
  const broken = finished.filter((job) => job.state !== 'succeeded');
  out.write(
    [
      `jobs: ${finished.length} (${broken.length} not succeeded)`,
      ...finished.map(
        (job) =>
          `job ${job.id} ${job.state}: ${job.files.total} files, ${job.chunks.done} chunks${job.error ? `: ${job.error}` : ''}`,
      ),
      `files: ${fileCount}, failed: ${failures.length}, skipped: ${skipped.length}`,
      `chunks: ${sum(finished, (job) => job.chunks.done)} (unchanged: ${sum(finished, (job) => job.chunks.unchanged)})`,
      `time: ${seconds.toFixed(1)} s`,
      ...failures.map((failure) => `failed: ${failure.file}: ${failure.reason}`),
      ...skipped.map((file) => `skipped: ${file.file}: ${file.reason}`),
    ].join('\n') + '\n',
  );
  return failures.length + broken.length;
}
