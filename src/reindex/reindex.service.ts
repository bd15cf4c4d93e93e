import { Injectable, Logger, Optional, type BeforeApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkLogicalName, physicalName } from '../collections/collection-names';
import {
  CollectionRegistry,
  type BuildState,
  type RegistryEntry,
} from '../collections/collection-registry';
import { CollectionRouter } from '../collections/collection-router';
import { Leases } from '../collections/lease';
import { DomainError, NotFoundError } from '../common/domain-errors';
import { EmbedderCatalog } from '../embeddings/embedder-catalog';
import { fingerprintToString, type Embedder } from '../embeddings/embedder.port';
import { NOOP_RECORDER, OperationRecorder } from '../observability/operation-recorder';
import { VectorStore } from '../vector-store/vector-store.port';
import type { ReindexRunDto, RollbackResponseDto } from './dto/reindex.dto';
import { GenerationCopier } from './generation-copier';
import { runStatus } from './reindex-run';
import { ReindexConfig } from './reindex.config';
import { SearchCheck, searchCheckFailure, type SearchCheckFigures } from './search-check';

export class ReindexConflictError extends DomainError {
  constructor(message: string) {
    super('conflict', message);
  }
}

/** The rebuilt generation does not answer like the serving one; the run fails, nothing switches. */
class SearchDisagreementError extends Error {
  constructor(readonly figures: SearchCheckFigures) {
    super(searchCheckFailure(figures));
  }
}

type Progress = Pick<BuildState, 'done' | 'total'>;

/** A run's status at once and, when a build had to start, its completion. */
export interface StartedReindex {
  status: ReindexRunDto;
  done?: Promise<ReindexRunDto>;
}

/** A run this process started: its result, and how to stop it on shutdown. */
interface LocalRun {
  runId: string;
  controller: AbortController;
  done: Promise<ReindexRunDto>;
}

/**
 * Rebuilds a logical collection with the configured embedder while it keeps serving, then
 * switches to the new generation in one registry write.
 *
 * The build is claimed with a lease (Leases, settling for `REINDEX_SETTLE_MS`): of two tasks
 * racing, the one that loses backs off with 409. The owner renews the lease with every batch; a
 * build whose lease expired (owner killed) is taken over by the next trigger, which drops its
 * partial target and starts over under a new generation number. The active generation is never
 * touched until the switch, so an interrupted run leaves it serving.
 */
@Injectable()
export class ReindexService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ReindexService.name);
  private readonly leases: Leases;
  /** Claimed synchronously, so two triggers in this process never both pass the checks. */
  private readonly claimed = new Set<string>();
  private readonly running = new Map<string, LocalRun>();
  private readonly limits: ReindexConfig;

  constructor(
    config: ReindexConfig,
    private readonly store: VectorStore,
    private readonly registry: CollectionRegistry,
    private readonly router: CollectionRouter,
    private readonly embedders: EmbedderCatalog,
    @Optional() private readonly recorder: OperationRecorder = NOOP_RECORDER,
  ) {
    this.limits = config;
    this.leases = new Leases(this.limits.settleMs);
  }

  /**
   * Starts a build when the collection's active generation was made by another embedder
   * (or `force`). Returns its status at once and, separately, its completion.
   */
  async start(logical: string, force = false): Promise<StartedReindex> {
    checkLogicalName(logical);
    if (this.claimed.has(logical)) {
      throw new ReindexConflictError(`a re-index of '${logical}' is already running`);
    }
    this.claimed.add(logical);
    try {
      return await this.claim(logical, force);
    } catch (error) {
      this.claimed.delete(logical);
      throw error;
    }
  }

  /** A run's progress or outcome, from the registry, so any task can answer. */
  async status(runId: string): Promise<ReindexRunDto> {
    for (const entry of await this.registry.all()) {
      const status = runStatus(entry, runId);
      if (status) return status;
    }
    throw new NotFoundError('re-index run', runId);
  }

  /** Serves the previous generation again; the one rolled back from becomes the previous. */
  async rollback(logical: string): Promise<RollbackResponseDto> {
    checkLogicalName(logical);
    const entry = await this.registry.get(logical);
    if (!entry) throw new NotFoundError('collection generations of', logical);
    if (entry.build && entry.build.leaseExpiresAt > Date.now()) {
      throw new ReindexConflictError(`a re-index of '${logical}' is running; roll back after it`);
    }
    const { previous, active } = entry;
    if (!previous || !(await this.store.hasCollection(previous.name))) {
      throw new ReindexConflictError(`'${logical}' has no previous generation to roll back to`);
    }
    await this.registry.put({ ...entry, active: previous, previous: active });
    this.logger.log(`${logical}: rolled back from ${active.name} to ${previous.name}`);
    const dto = (g: typeof active) => ({
      name: g.name,
      generation: g.generation,
      embedder: g.fingerprint,
    });
    return { collection: logical, active: dto(previous), previous: dto(active) };
  }

  /**
   * Re-indexes, one after the other, every collection whose embedder is not the configured one.
   * `onStart` sees each collection's run as it starts. Returns the collections that could not
   * start, and why; a run that started and failed says so in its own status.
   */
  async reindexAll(
    onStart: (run: StartedReindex) => void = () => undefined,
  ): Promise<{ collection: string; error: string }[]> {
    const skipped: { collection: string; error: string }[] = [];
    for (const name of await this.router.logicalNames()) {
      try {
        await this.prune(name);
        const started = await this.start(name);
        onStart(started);
        if (started.done) await started.done;
      } catch (error) {
        this.logger.warn(`${name}: scheduled re-index skipped: ${String(error)}`);
        skipped.push({
          collection: name,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return skipped;
  }

  /** Stops this process's builds; their leases are released, so a re-run can start at once. */
  async beforeApplicationShutdown(): Promise<void> {
    const runs = [...this.running.values()];
    for (const run of runs) run.controller.abort(new Error('the process is shutting down'));
    await Promise.allSettled(runs.map((run) => run.done));
  }

  private async claim(
    logical: string,
    force: boolean,
  ): Promise<{ status: ReindexRunDto; done?: Promise<ReindexRunDto> }> {
    const configured = (await this.embedders.current()).fingerprint;
    const entry = await this.router.entry(logical);
    const now = Date.now();
    if (entry.build && entry.build.leaseExpiresAt > now) {
      throw new ReindexConflictError(
        `a re-index of '${logical}' is already running (run ${entry.build.runId})`,
      );
    }
    const active = entry.active;
    if (!force && fingerprintToString(active.fingerprint) === fingerprintToString(configured)) {
      this.claimed.delete(logical);
      const count = (await this.store.describeCollection(active.name))?.count ?? 0;
      return {
        status: {
          run_id: null,
          collection: logical,
          state: 'up_to_date',
          message: `'${logical}' already uses the configured embedder (${fingerprintToString(configured)}); send "force": true to rebuild it anyway`,
          source: active.name,
          serving: active.name,
          embedder: fingerprintToString(active.fingerprint),
          done: count,
          total: count,
        },
      };
    }
    // Generations only grow, so a name is never reused while a stale handle may point at it.
    const generation =
      1 +
      Math.max(
        active.generation,
        entry.previous?.generation ?? 0,
        entry.build?.target.generation ?? 0,
        entry.lastRun?.target.generation ?? 0,
      );
    const build: BuildState = {
      runId: randomUUID(),
      target: { name: physicalName(logical, generation), generation, fingerprint: configured },
      owner: this.leases.owner,
      leaseExpiresAt: now + this.limits.leaseMs,
      done: 0,
      total: 0,
      startedAt: now,
      updatedAt: now,
    };
    const won = await this.leases.claim({
      write: () => this.registry.put({ ...entry, build }),
      readBack: () => this.registry.get(logical),
      isOurs: (stored) => stored.build?.runId === build.runId,
    });
    if (!won) {
      throw new ReindexConflictError(`another task started a re-index of '${logical}'`);
    }
    // The abandoned build's partial copy is read by nobody; writers tolerate its absence.
    if (entry.build) await this.store.deleteCollection(entry.build.target.name);

    const controller = new AbortController();
    const done = this.run(won, build, controller.signal).finally(() => {
      this.running.delete(logical);
      this.claimed.delete(logical);
    });
    this.running.set(logical, { runId: build.runId, controller, done });
    this.logger.log(`${logical}: re-index ${build.runId} into ${build.target.name} started`);
    return { status: runStatus(won, build.runId) as ReindexRunDto, done };
  }

  /** Never rejects: nobody awaits a run an HTTP trigger started, so failure is its outcome. */
  private async run(
    entry: RegistryEntry,
    build: BuildState,
    signal: AbortSignal,
  ): Promise<ReindexRunDto> {
    const logical = entry.logical;
    const started = Date.now();
    const progress = { done: 0, total: 0 };
    let switched = false;
    try {
      // Every task must see the build (and dual-write to it) before the copy reads the source.
      await sleep(this.limits.registryCacheMs, undefined, { signal });
      const embedder = await this.embedders.current();
      await this.store.ensureCollection(build.target.name, build.target.fingerprint);
      await new GenerationCopier(this.store, embedder).copy(entry.active.name, build.target.name, {
        batchSize: this.limits.batchSize,
        verifySample: this.limits.verifySample,
        signal,
        progress: (done, total) => {
          Object.assign(progress, { done, total });
          return this.renew(logical, build, progress);
        },
      });
      signal.throwIfAborted();
      const searchCheck = await this.checkSearch(entry, build, embedder);
      if (searchCheck && !searchCheck.passed) throw new SearchDisagreementError(searchCheck);
      signal.throwIfAborted();
      await this.switchTo(logical, build, searchCheck);
      // Counted as soon as the run reads as succeeded, not after the housekeeping below.
      switched = true;
      this.recorder.reindexRun('succeeded');
      const status = await this.status(build.runId);
      const seconds = (Date.now() - started) / 1000;
      this.logger.log(
        `${logical}: switched to ${build.target.name} (${status.total} chunks, ${(status.total / seconds).toFixed(0)} chunks/s)`,
      );
      await this.prune(logical);
      return status;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const searchCheck = error instanceof SearchDisagreementError ? error.figures : undefined;
      if (!switched) this.recorder.reindexRun('failed');
      await this.fail(logical, build, message, progress, searchCheck);
      return {
        ...(runStatus({ ...entry, build }, build.runId) as ReindexRunDto),
        ...progress,
        state: 'failed',
        error: message,
        search_check: searchCheck,
      };
    }
  }

  /** Asks the same probes of the serving generation and the rebuilt one (SearchCheck). */
  private async checkSearch(
    entry: RegistryEntry,
    build: BuildState,
    fresh: Embedder,
  ): Promise<SearchCheckFigures | undefined> {
    const old = await this.embedders.forFingerprint(entry.active.fingerprint);
    const sameEmbedder =
      fingerprintToString(entry.active.fingerprint) ===
      fingerprintToString(build.target.fingerprint);
    const figures = await new SearchCheck(this.store, this.limits.searchCheck).compare(
      old && { collection: entry.active.name, embedder: old },
      { collection: build.target.name, embedder: fresh },
      sameEmbedder,
    );
    if (figures) this.logger.log(`${entry.logical}: search check ${JSON.stringify(figures)}`);
    return figures;
  }

  /** Persists progress and extends the lease; stops the run if another task took it over. */
  private async renew(logical: string, build: BuildState, progress: Progress): Promise<void> {
    const entry = await this.current(logical, build);
    const now = Date.now();
    await this.registry.put({
      ...entry,
      build: { ...build, ...progress, updatedAt: now, leaseExpiresAt: now + this.limits.leaseMs },
    });
  }

  /** The switch: one record upsert makes the new generation active and keeps the old one. */
  private async switchTo(
    logical: string,
    build: BuildState,
    searchCheck: SearchCheckFigures | undefined,
  ): Promise<void> {
    const entry = await this.current(logical, build);
    const [newCount, oldCount] = await Promise.all([
      this.store.describeCollection(build.target.name),
      this.store.describeCollection(entry.active.name),
    ]);
    const now = Date.now();
    const { done, total } = entry.build ?? build;
    await this.registry.put({
      logical,
      active: { ...build.target, count: newCount?.count },
      previous: { ...entry.active, count: oldCount?.count },
      lastRun: {
        runId: build.runId,
        target: build.target,
        state: 'succeeded',
        searchCheck,
        done,
        total,
        startedAt: build.startedAt,
        finishedAt: now,
      },
      retired: [
        ...entry.retired,
        ...(entry.previous ? [{ name: entry.previous.name, retiredAt: now }] : []),
      ],
    });
  }

  /** Records the failure and drops the partial target, unless another task owns the build now. */
  private async fail(
    logical: string,
    build: BuildState,
    message: string,
    progress: Progress,
    searchCheck?: SearchCheckFigures,
  ): Promise<void> {
    this.logger.warn(`${logical}: re-index ${build.runId} failed: ${message}`);
    try {
      const entry = await this.registry.get(logical);
      if (entry?.build?.runId !== build.runId) return;
      await this.registry.put({
        ...entry,
        build: undefined,
        lastRun: {
          runId: build.runId,
          target: build.target,
          state: 'failed',
          error: message,
          searchCheck,
          ...progress,
          startedAt: build.startedAt,
          finishedAt: Date.now(),
        },
      });
      await this.store.deleteCollection(build.target.name);
    } catch (cleanup) {
      // The lease then expires on its own and the next trigger takes the build over.
      this.logger.warn(`${logical}: could not release re-index ${build.runId}: ${String(cleanup)}`);
    }
  }

  /** Deletes generations retired longer than the retention time. */
  private async prune(logical: string): Promise<void> {
    const entry = await this.registry.get(logical);
    if (!entry) return;
    const cutoff = Date.now() - this.limits.retentionMs;
    const expired = entry.retired.filter((retired) => retired.retiredAt <= cutoff);
    if (expired.length === 0) return;
    for (const retired of expired) await this.store.deleteCollection(retired.name);
    await this.registry.put({
      ...entry,
      retired: entry.retired.filter((retired) => retired.retiredAt > cutoff),
    });
    this.logger.log(`${logical}: deleted ${expired.map((r) => r.name).join(', ')}`);
  }

  /** The fresh entry, if this run still owns its build. */
  private async current(logical: string, build: BuildState): Promise<RegistryEntry> {
    const entry = await this.registry.get(logical);
    if (entry?.build?.runId !== build.runId) {
      throw new ReindexConflictError(`re-index ${build.runId} of '${logical}' lost its lease`);
    }
    return entry;
  }
}
