import { Injectable, Logger } from '@nestjs/common';
import { EmbedderMismatchError, NotFoundError } from '../common/domain-errors';
import { EmbedderCatalog } from '../embeddings/embedder-catalog';
import { fingerprintToString, type Embedder } from '../embeddings/embedder.port';
import { VectorStore, type CollectionInfo } from '../vector-store/vector-store.port';
import { isReservedName } from './collection-names';
import { CollectionRegistry, type RegistryEntry } from './collection-registry';

/** A physical collection and the embedder that made its vectors. */
export interface Target {
  name: string;
  embedder: Embedder;
}

/** Where a logical collection's writes go: its active generation first, then the others kept in step. */
export interface WriteTargets {
  active: Target;
  /** The building generation (must follow, unless a restarted build dropped it) and the previous one (best effort, for rollback). */
  others: (Target & { tolerates: (error: unknown) => boolean })[];
}

/** A logical collection as clients see it: its active generation, as the store describes it. */
export interface LogicalCollection {
  logical: string;
  generation: number;
  active: CollectionInfo;
}

/**
 * Routes a logical collection's reads and writes to its physical generations. Without a registry
 * entry a collection is its own generation 0; with one, reads go to the active generation and
 * writes to every generation that must stay in step with it.
 */
@Injectable()
export class CollectionRouter {
  private readonly logger = new Logger(CollectionRouter.name);

  constructor(
    private readonly store: VectorStore,
    private readonly embedders: EmbedderCatalog,
    private readonly registry: CollectionRegistry,
  ) {}

  /** The active generation of a logical collection, with the embedder that made it. */
  async readable(logical: string): Promise<Target> {
    return this.activeOf(logical, await this.registry.resolve(logical));
  }

  /**
   * Where writes go. Without a registry entry the collection is its own generation 0, created
   * with the configured embedder on first write; with one, a running build and the previous
   * generation get every write too, so neither the switch nor a rollback loses any.
   */
  async writeTargets(logical: string, { create = true } = {}): Promise<WriteTargets> {
    const entry = await this.registry.resolve(logical);
    if (!entry && create && !(await this.store.hasCollection(logical))) {
      const current = await this.embedders.current();
      await this.store.ensureCollection(logical, current.fingerprint);
      return { active: { name: logical, embedder: current }, others: [] };
    }
    const active = await this.activeOf(logical, entry);
    const others: WriteTargets['others'] = [];
    // A restarted build drops and re-creates its target; the copy picks up what it missed.
    const building = entry?.build?.target;
    const buildEmbedder = building && (await this.embedders.forFingerprint(building.fingerprint));
    if (building && buildEmbedder) {
      others.push({
        name: building.name,
        embedder: buildEmbedder,
        tolerates: (error) => error instanceof NotFoundError,
      });
    }
    const previous = entry?.previous;
    const previousEmbedder =
      previous && (await this.embedders.forFingerprint(previous.fingerprint));
    if (previous && previousEmbedder) {
      others.push({ name: previous.name, embedder: previousEmbedder, tolerates: () => true });
    }
    return { active, others };
  }

  /** Applies a write to the active generation, then to the others in step with it. */
  async toEach(targets: WriteTargets, write: (target: Target) => Promise<void>): Promise<void> {
    await write(targets.active);
    for (const other of targets.others) {
      try {
        await write(other);
      } catch (error) {
        if (!other.tolerates(error)) throw error;
        this.logger.warn(`write to ${other.name} skipped: ${String(error)}`);
      }
    }
  }

  /** Logical collections whose active generation exists; physical generations stay hidden. */
  async list(): Promise<LogicalCollection[]> {
    const [collections, entries] = await Promise.all([
      this.store.listCollections(),
      this.registry.entries(),
    ]);
    const byName = new Map(collections.map((info) => [info.name, info]));
    const logical = new Map<string, LogicalCollection>();
    const add = (name: string, generation: number, active = byName.get(name)) => {
      if (active) logical.set(name, { logical: name, generation, active });
    };
    for (const entry of entries)
      add(entry.logical, entry.active.generation, byName.get(entry.active.name));
    // Collections without an entry are their own generation 0.
    for (const info of collections) {
      if (!isReservedName(info.name) && !logical.has(info.name)) add(info.name, 0);
    }
    return [...logical.values()];
  }

  /** Every logical name, read fresh: those in the registry, then collections without an entry. */
  async logicalNames(): Promise<string[]> {
    const logical = new Set((await this.registry.all()).map((entry) => entry.logical));
    for (const info of await this.store.listCollections()) {
      if (!isReservedName(info.name)) logical.add(info.name);
    }
    return [...logical];
  }

  /** The stored entry, read fresh; for a collection written before the registry existed, its generation 0. */
  async entry(logical: string): Promise<RegistryEntry> {
    const stored = await this.registry.get(logical);
    if (stored) return stored;
    const info = await this.store.describeCollection(logical);
    if (!info?.fingerprint) throw new NotFoundError('collection', logical);
    return {
      logical,
      active: { name: logical, generation: 0, fingerprint: info.fingerprint },
      retired: [],
    };
  }

  private async activeOf(logical: string, entry: RegistryEntry | undefined): Promise<Target> {
    const name = entry?.active.name ?? logical;
    const info = await this.store.describeFingerprint(name);
    if (!info) throw new NotFoundError('collection', logical);
    const embedder = info.fingerprint && (await this.embedders.forFingerprint(info.fingerprint));
    if (!embedder) {
      const current = fingerprintToString((await this.embedders.current()).fingerprint);
      const stored = info.fingerprint ? fingerprintToString(info.fingerprint) : 'unknown';
      throw new EmbedderMismatchError(logical, stored, current);
    }
    return { name, embedder };
  }
}
