import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { AppModule } from '../app.module';
import { DocumentsConfig } from '../documents/documents.config';
import { ReindexService, type StartedReindex } from '../reindex/reindex.service';

const USAGE = `Rebuilds collections with the configured embedder inside the API's module graph (same config,
same Chroma) and switches to each rebuilt one once verified; prints progress lines.
  reindex [--collection docs] [--force]   one collection (default: DEFAULT_COLLECTION)
  reindex --all                           every collection whose embedder is not the configured one
                                          (what REINDEX_CRON runs; the scheduled job's command)
Exits 0 when the collections end on the configured embedder, 1 on failure, 2 on bad arguments.`;
/** How often progress is printed while a build runs. */
const PROGRESS_EVERY_MS = 5000;

/** Prints a started run's progress until it ends; returns the exit code. */
async function follow(
  reindex: ReindexService,
  { status, done }: StartedReindex,
  print: (line: string) => void,
  started = Date.now(),
): Promise<number> {
  const { collection } = status;
  if (!done) {
    print(`${collection}: up to date (${status.embedder}, ${status.total} chunks)`);
    return 0;
  }
  print(`${collection}: run ${status.run_id} building ${status.target} with ${status.embedder}`);
  const runId = status.run_id ?? '';
  const ticker = setInterval(() => {
    reindex.status(runId).then(
      (now) => print(`${collection}: ${now.state} ${now.done}/${now.total}`),
      () => undefined,
    );
  }, PROGRESS_EVERY_MS);
  try {
    const result = await done;
    const seconds = (Date.now() - started) / 1000;
    if (result.state !== 'succeeded') {
      print(`${collection}: ${result.state}: ${result.error ?? 'unknown error'}`);
      return 1;
    }
    print(
      `${collection}: switched to ${result.target} (${result.total} chunks in ${seconds.toFixed(1)} s, ${(result.total / seconds).toFixed(0)} chunks/s)`,
    );
    return 0;
  } finally {
    clearInterval(ticker);
  }
}

/** Every collection on another embedder, as the scheduler does it; returns the exit code. */
async function reindexAll(reindex: ReindexService, print: (line: string) => void): Promise<number> {
  const runs: Promise<number>[] = [];
  const skipped = await reindex.reindexAll((started) => runs.push(follow(reindex, started, print)));
  for (const { collection, error } of skipped) print(`${collection}: skipped: ${error}`);
  const codes = await Promise.all(runs);
  return skipped.length > 0 ? 1 : Math.max(0, ...codes);
}

/** `node dist/cli reindex [--collection docs | --all] [--force]`; returns the exit code. */
export async function runReindexCommand(
  args: string[],
  print: (line: string) => void = console.log,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      collection: { type: 'string' },
      all: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || (values.all && (values.collection !== undefined || values.force))) {
    print(USAGE);
    return values.help ? 0 : 2;
  }
  const context: INestApplicationContext = await NestFactory.createApplicationContext(AppModule, {
    logger: ['error', 'warn', 'log'],
  });
  context.enableShutdownHooks();
  try {
    const reindex = context.get(ReindexService);
    if (values.all) return await reindexAll(reindex, print);
    const collection = values.collection ?? context.get(DocumentsConfig).defaultCollection;
    const started = Date.now();
    return await follow(reindex, await reindex.start(collection, values.force), print, started);
  } catch (error) {
    print(`reindex failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await context.close();
  }
}
