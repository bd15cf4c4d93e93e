import { SingleBar, Presets } from 'cli-progress';
import { openAsBlob } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IngestJobDto } from './dto/ingest-job.dto';

interface LocalFile {
  path: string;
  /** Relative to the folder: the document id. */
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
async function* batches(
  files: AsyncIterable<LocalFile>,
  maxFiles: number,
  maxBytes: number,
): AsyncGenerator<LocalFile[]> {
  let batch: LocalFile[] = [];
  let bytes = 0;
  for await (const file of files) {
    if (batch.length > 0 && (batch.length >= maxFiles || bytes + file.size > maxBytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(file);
    bytes += file.size;
  }
  if (batch.length > 0) yield batch;
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

  private request(method: string, path: string, body?: FormData): Promise<Response> {
    return fetch(new URL(path, this.url), {
      method,
      body,
      headers: { authorization: `Bearer ${this.token}` },
    });
  }

  private async json(response: Response): Promise<unknown> {
    const body = (await response.json()) as { message?: string };
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${body.message ?? 'error'}`);
    return body;
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

/**
 * Uploads a folder to the API in batches of ingest jobs and waits for them, with a progress bar
 * and a summary on `out`; returns how many files failed and jobs did not succeed.
 */
export async function uploadFolder(
  options: FolderUpload,
  out: NodeJS.WriteStream = process.stdout,
): Promise<number> {
  const root = resolve(options.folder);
  const client = new IngestClient(options.url, options.token);
  const { maxFileBytes } = options;
  const maxJobs = Math.max(1, options.jobs);
  const started = Date.now();
  const skipped: { file: string; reason: string }[] = [];
  const finished: IngestJobDto[] = [];
  const running = new Map<string, IngestJobDto>();

  const bar = new SingleBar(
    {
      format:
        '{bar} {percentage}% | {value}/{total} chunks | {rate} chunks/s | ETA {eta_formatted} | {files} files',
      etaBuffer: 50,
      stream: out,
    },
    Presets.shades_classic,
  );
  bar.start(0, 0, { rate: 0, files: 0 });
  const update = () => {
    const jobs = [...finished, ...running.values()];
    const sum = (pick: (job: IngestJobDto) => number) => jobs.reduce((n, job) => n + pick(job), 0);
    const done = sum((job) => job.chunks.done);
    bar.setTotal(sum((job) => job.chunks.total));
    bar.update(done, {
      rate: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)),
      files: sum((job) => job.files.total) + skipped.length,
    });
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

  const sendable = async function* () {
    for await (const file of walk(root)) {
      if (file.size > maxFileBytes) {
        skipped.push({ file: file.name, reason: `larger than ${maxFileBytes} bytes` });
      } else yield file;
    }
  };
  try {
    for await (const batch of batches(sendable(), options.batchFiles, options.batchBytes)) {
      while (running.size >= maxJobs) {
        await sleep(250);
        await poll();
      }
      const job = await client.upload(batch, options.collection);
      running.set(job.id, job);
      update();
    }
    while (running.size > 0) {
      await sleep(250);
      await poll();
    }
  } finally {
    bar.stop();
  }

  const failures = [...skipped, ...finished.flatMap((job) => job.failures)];
  const total = (pick: (job: IngestJobDto) => number) =>
    finished.reduce((n, job) => n + pick(job), 0);
  const seconds = (Date.now() - started) / 1000;
  const broken = finished.filter((job) => job.state !== 'succeeded');
  out.write(
    [
      `jobs: ${finished.length} (${broken.length} not succeeded)`,
      `files: ${total((job) => job.files.total) + skipped.length}, failed: ${failures.length}`,
      `chunks: ${total((job) => job.chunks.done)} (unchanged: ${total((job) => job.chunks.unchanged)})`,
      `time: ${seconds.toFixed(1)} s`,
      ...failures.map((failure) => `failed: ${failure.file}: ${failure.reason}`),
      ...broken.map((job) => `job ${job.id} ${job.state}${job.error ? `: ${job.error}` : ''}`),
    ].join('\n') + '\n',
  );
  return failures.length + broken.length;
}
