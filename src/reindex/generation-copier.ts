import { setTimeout as sleep } from 'node:timers/promises';
import type { Embedder } from '../embeddings/embedder.port';
import type { StoredRecord, VectorStore } from '../vector-store/vector-store.port';

export interface CopyOptions {
  batchSize: number;
  /** Chunks compared by id, text and metadata in both generations before declaring success. */
  verifySample: number;
  signal: AbortSignal;
  /** Called after every written batch; persists progress and renews the lease. */
  progress: (done: number, total: number) => Promise<void>;
}

/**
 * Reconcile/verify rounds before giving up. Each round only follows writes racing the copy, but a
 * client write caught between its two dual writes looks like a difference, so under steady
 * write traffic a round needs a quiet moment: give it many rounds with a pause between them.
 */
const MAX_ROUNDS = 20;
const ROUND_PAUSE_MS = 200;
/** Records per read when comparing whole generations (no vectors, so pages can be large). */
const READ_PAGE = 1000;

const stable = (value: Record<string, unknown>): string =>
  JSON.stringify(
    Object.keys(value)
      .sort()
      .map((key) => [key, value[key]]),
  );
const signature = (record: StoredRecord): string =>
  `${record.text}\u0000${stable(record.metadata)}`;
const titleOf = (record: StoredRecord): string | undefined =>
  typeof record.metadata.title === 'string' ? record.metadata.title : undefined;

/**
 * Copies a generation into a new one, re-embedding every chunk. Clients keep writing to the
 * source (and, via dual writes, to the target) meanwhile, so a batch is re-read after it is
 * written and rewritten until it matches, and a final reconciliation by id fixes what offset
 * paging missed (chunks deleted during the copy shift the offsets).
 */
export class GenerationCopier {
  constructor(
    private readonly store: VectorStore,
    private readonly embedder: Embedder,
  ) {}

  async copy(source: string, target: string, options: CopyOptions): Promise<void> {
    const total = (await this.store.describeCollection(source))?.count ?? 0;
    let done = 0;
    for (;;) {
      options.signal.throwIfAborted();
      const page = await this.store.getPage(source, done, options.batchSize);
      if (page.length === 0) break;
      await this.write(source, target, page);
      done += page.length;
      await options.progress(done, Math.max(total, done));
    }
    for (let round = 1; ; round++) {
      options.signal.throwIfAborted();
      const fixed = await this.reconcile(source, target, options);
      if (fixed === 0 && (await this.verified(source, target, options.verifySample))) return;
      if (round === MAX_ROUNDS) {
        throw new Error(`${target} did not converge with ${source} in ${MAX_ROUNDS} rounds`);
      }
      await options.progress(done, Math.max(total, done));
      await sleep(ROUND_PAUSE_MS);
    }
  }

  /** Embeds and writes records, then re-reads them from the source until the target agrees. */
  private async write(source: string, target: string, records: StoredRecord[]): Promise<void> {
    let pending = records;
    for (let round = 0; pending.length > 0 && round < MAX_ROUNDS; round++) {
      const embeddings = await this.embedder.embedDocuments(
        pending.map((record) => record.text),
        pending.map(titleOf),
      );
      await this.store.upsert(
        target,
        pending.map((record, i) => ({ ...record, embedding: embeddings[i] })),
      );
      const written = new Map(pending.map((record) => [record.id, signature(record)]));
      const now = await this.store.getByIds(source, [...written.keys()]);
      const present = new Set(now.map((record) => record.id));
      const gone = [...written.keys()].filter((id) => !present.has(id));
      // Deleted from the source while we copied it: the client's dual delete may have run first.
      if (gone.length > 0) await this.store.deleteIds(target, gone);
      pending = now.filter((record) => written.get(record.id) !== signature(record));
    }
  }

  /** Makes the target hold exactly the source's chunks; returns how many needed fixing. */
  private async reconcile(source: string, target: string, options: CopyOptions): Promise<number> {
    const [wanted, held] = await Promise.all([this.readAll(source), this.readAll(target)]);
    const heldSignatures = new Map(held.map((record) => [record.id, signature(record)]));
    const stale = wanted.filter((record) => heldSignatures.get(record.id) !== signature(record));
    for (let start = 0; start < stale.length; start += options.batchSize) {
      await this.write(source, target, stale.slice(start, start + options.batchSize));
    }
    const wantedIds = new Set(wanted.map((record) => record.id));
    const extra = held.map((record) => record.id).filter((id) => !wantedIds.has(id));
    // Written to both after the source was read: only delete what the source still lacks.
    const stillThere = new Set(
      (await this.store.getByIds(source, extra)).map((record) => record.id),
    );
    const gone = extra.filter((id) => !stillThere.has(id));
    await this.store.deleteIds(target, gone);
    return stale.length + gone.length;
  }

  /** Same count, and a random sample of chunks identical in both. */
  private async verified(source: string, target: string, sample: number): Promise<boolean> {
    const [from, to] = await Promise.all([
      this.store.describeCollection(source),
      this.store.describeCollection(target),
    ]);
    if (!from || !to || from.count !== to.count) return false;
    if (sample === 0 || from.count === 0) return true;
    const offset = Math.floor(Math.random() * Math.max(1, from.count - sample));
    const picked = await this.store.getPage(source, offset, sample);
    const copies = await this.store.getByIds(
      target,
      picked.map((record) => record.id),
    );
    const copied = new Map(copies.map((record) => [record.id, signature(record)]));
    return picked.every((record) => copied.get(record.id) === signature(record));
  }

  private async readAll(collection: string): Promise<StoredRecord[]> {
    const all: StoredRecord[] = [];
    for (;;) {
      const page = await this.store.getPage(collection, all.length, READ_PAGE);
      all.push(...page);
      if (page.length < READ_PAGE) return all;
    }
  }
}
