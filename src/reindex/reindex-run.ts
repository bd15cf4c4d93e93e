import type { RegistryEntry } from '../collections/collection-registry';
import { fingerprintToString } from '../embeddings/embedder.port';
import type { ReindexRunDto } from './dto/reindex.dto';

const iso = (ms: number) => new Date(ms).toISOString();

/** The run `runId` of this entry as the API reports it, or undefined if the entry has no such run. */
export function runStatus(
  entry: RegistryEntry,
  runId: string,
  now = Date.now(),
): ReindexRunDto | undefined {
  const { build, lastRun } = entry;
  if (build?.runId === runId) {
    return {
      run_id: runId,
      collection: entry.logical,
      // Nobody renews an abandoned lease: the next trigger takes the build over and starts again.
      state: build.leaseExpiresAt > now ? 'building' : 'interrupted',
      source: entry.active.name,
      target: build.target.name,
      serving: entry.active.name,
      embedder: fingerprintToString(build.target.fingerprint),
      done: build.done,
      total: build.total,
      started_at: iso(build.startedAt),
      updated_at: iso(build.updatedAt),
    };
  }
  if (lastRun?.runId === runId) {
    // A rollback swaps generations without a run of its own: the run that built the one no longer
    // serving reports that, and which one serves now.
    const rolledBack = lastRun.state === 'succeeded' && entry.active.name !== lastRun.target.name;
    return {
      run_id: runId,
      collection: entry.logical,
      state: rolledBack ? 'rolled_back' : lastRun.state,
      serving: entry.active.name,
      target: lastRun.target.name,
      embedder: fingerprintToString(lastRun.target.fingerprint),
      done: lastRun.done,
      total: lastRun.total,
      started_at: iso(lastRun.startedAt),
      updated_at: iso(lastRun.finishedAt),
      finished_at: iso(lastRun.finishedAt),
      error: lastRun.error,
      search_check: lastRun.searchCheck,
    };
  }
  return undefined;
}
