import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { ReindexService } from './reindex/reindex.service';

const USAGE = `Operations commands that run inside the API's module graph (same config, same Chroma).
  reindex --collection docs [--force]   rebuild the collection with the configured embedder,
                                        switch to it when verified; prints progress lines
Exits 0 when the collection ends on the configured embedder, 1 on failure, 2 on bad arguments.`;
/** How often progress is printed while a build runs. */
const PROGRESS_EVERY_MS = 5000;

/** Runs the re-index to completion in an already booted context; returns the exit code. */
export async function runReindex(
  context: INestApplicationContext,
  collection: string,
  force: boolean,
  print: (line: string) => void,
): Promise<number> {
  const reindex = context.get(ReindexService);
  const started = Date.now();
  const { status, done } = await reindex.start(collection, force);
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

/** `node dist/cli reindex --collection docs [--force]`; returns the exit code. */
export async function runCli(
  args: string[],
  print: (line: string) => void = console.log,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      collection: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || positionals.length !== 1 || positionals[0] !== 'reindex') {
    print(USAGE);
    return values.help ? 0 : 2;
  }
  const context = await NestFactory.createApplicationContext(AppModule, {
    logger: ['error', 'warn', 'log'],
  });
  context.enableShutdownHooks();
  try {
    const collection = values.collection ?? context.get(AppConfig).documents.defaultCollection;
    return await runReindex(context, collection, values.force, print);
  } catch (error) {
    print(`reindex failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await context.close();
  }
}

if (require.main === module) {
  // Exit explicitly: a scheduled job must end even if a library leaves a handle open.
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
