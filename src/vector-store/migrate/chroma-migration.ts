import {
  ChromaNotFoundError,
  type Collection,
  type CollectionConfiguration,
  type CreateCollectionConfiguration,
  type GetResult,
  type Metadata,
} from 'chromadb';
import type { ChromaEndpoint } from './chroma-endpoint';
import {
  canonicalJson,
  CollectionChecksum,
  recordDigest,
  sameRecord,
  type ChromaRecord,
} from './record-digest';

export interface MigrationOptions {
  /** Records per read and write; capped at the target server's maximum batch size. */
  batchSize: number;
  /** Deadline of each call to either server. */
  timeoutMs: number;
  /** Only compare source and target; write nothing. */
  verifyOnly: boolean;
}

export interface CollectionReport {
  name: string;
  sourceCount: number;
  targetCount: number;
  /** Records written to the target in this run. */
  copied: number;
  /** Records already on the target with identical content (a resumed run). */
  skipped: number;
  /** Order-independent sha256 of the source's records (ids, documents, metadata, float32 embeddings). */
  checksum: string;
  /** Why the collections differ; empty when the copy is verified. */
  problems: string[];
}

const LIST_PAGE_SIZE = 100;
const INCLUDE_ALL: ['embeddings', 'documents', 'metadatas'] = [
  'embeddings',
  'documents',
  'metadatas',
];

/** How many differing records there are and, for the report, the first few ids in sort order. */
class DifferingIds {
  private static readonly SHOWN = 3;
  private readonly shown: string[] = [];
  count = 0;

  add(id: string): void {
    this.count++;
    this.shown.push(id);
    this.shown.sort();
    this.shown.splice(DifferingIds.SHOWN);
  }

  describe(): string {
    const more =
      this.count > this.shown.length ? ` and ${this.count - this.shown.length} more` : '';
    return `${this.count} record(s) differ: ${this.shown.join(', ')}${more}`;
  }
}

const withoutNulls = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(
    Object.entries(value).filter(([, item]) => item !== null && item !== undefined),
  ) as Partial<T>;

/** The index settings that define a collection (space, HNSW/SPANN parameters), nothing else. */
const indexSettings = (configuration: CollectionConfiguration | undefined) => ({
  hnsw: configuration?.hnsw ? withoutNulls(configuration.hnsw) : undefined,
  spann: configuration?.spann ? withoutNulls(configuration.spann) : undefined,
});

/** The distance space, which decides whether Chroma rescales the vectors it stores. */
const spaceOf = (configuration: CollectionConfiguration | undefined) =>
  configuration?.hnsw?.space ?? configuration?.spann?.space ?? 'l2';

const toRecords = (page: GetResult): ChromaRecord[] =>
  page.ids.map((id, i) => ({
    id,
    embedding: page.embeddings[i] ?? [],
    document: page.documents[i] ?? null,
    metadata: page.metadatas[i] ?? null,
  }));

/** Copies every collection from one Chroma server to another and verifies the result. */
export class ChromaMigration {
  constructor(
    private readonly source: ChromaEndpoint,
    private readonly target: ChromaEndpoint,
    private readonly options: MigrationOptions,
  ) {}

  async run(): Promise<CollectionReport[]> {
    const batchSize = Math.min(
      this.options.batchSize,
      await this.call(this.target, () => this.target.client.getMaxBatchSize()),
    );
    const reports: CollectionReport[] = [];
    for (const collection of await this.listSource()) {
      reports.push(await this.migrateCollection(collection, batchSize));
    }
    return reports;
  }

  /**
   * One pass over the source, page by page: each page is compared with the same ids on the
   * target, what differs is written and read back, so every record is verified in the pass.
   */
  private async migrateCollection(
    source: Collection,
    batchSize: number,
  ): Promise<CollectionReport> {
    const target = await this.targetCollection(source);
    const cosine = target !== undefined && spaceOf(target.configuration) === 'cosine';
    const checksum = new CollectionChecksum();
    const differing = new DifferingIds();
    let copied = 0;
    await this.forEachSourcePage(source, batchSize, async (records) => {
      records.forEach((record) => checksum.add(record.id, recordDigest(record)));
      if (!target) return;
      let changed = await this.changedOnTarget(target, records, cosine);
      if (changed.length > 0 && !this.options.verifyOnly) {
        await this.write(target, changed);
        copied += changed.length;
        changed = await this.changedOnTarget(target, changed, cosine);
      }
      changed.forEach((record) => differing.add(record.id));
    });

    const sourceCount = await this.call(this.source, () => source.count());
    const targetCount = target ? await this.call(this.target, () => target.count()) : 0;
    const report = {
      name: source.name,
      sourceCount,
      targetCount,
      copied,
      skipped: this.options.verifyOnly ? 0 : checksum.count - copied,
      checksum: checksum.hex(),
    };
    if (!target) return { ...report, problems: ['missing on the target'] };
    // Every source id was looked up on the target; only records that the target alone has are unseen.
    if (targetCount !== sourceCount || differing.count > 0) {
      await this.findTargetOnly(source, target, batchSize, differing);
    }
    return { ...report, problems: this.compare(source, target, report, differing) };
  }

  /** The records whose copy on the target is missing or holds other content. */
  private async changedOnTarget(
    target: Collection,
    records: ChromaRecord[],
    cosine: boolean,
  ): Promise<ChromaRecord[]> {
    const present = await this.call(this.target, () =>
      target.get({ ids: records.map((record) => record.id), include: INCLUDE_ALL }),
    );
    const copies = new Map(toRecords(present).map((record) => [record.id, record]));
    return records.filter((record) => {
      const copy = copies.get(record.id);
      return !copy || !sameRecord(record, copy, { cosine });
    });
  }

  private async findTargetOnly(
    source: Collection,
    target: Collection,
    batchSize: number,
    differing: DifferingIds,
  ): Promise<void> {
    for (let offset = 0; ; offset += batchSize) {
      const { ids } = await this.call(this.target, () =>
        target.get({ limit: batchSize, offset, include: [] }),
      );
      if (ids.length === 0) return;
      const known = await this.call(this.source, () => source.get({ ids, include: [] }));
      const inSource = new Set(known.ids);
      ids.filter((id) => !inSource.has(id)).forEach((id) => differing.add(id));
      if (ids.length < batchSize) return;
    }
  }

  private compare(
    source: Collection,
    target: Collection,
    { sourceCount, targetCount }: { sourceCount: number; targetCount: number },
    differing: DifferingIds,
  ): string[] {
    const problems: string[] = [];
    if (sourceCount !== targetCount) problems.push(`count ${targetCount} ≠ ${sourceCount}`);
    if (differing.count > 0) problems.push(differing.describe());
    if (canonicalJson(source.metadata ?? {}) !== canonicalJson(target.metadata ?? {})) {
      problems.push('collection metadata differs');
    }
    const sourceIndex = canonicalJson(indexSettings(source.configuration));
    if (sourceIndex !== canonicalJson(indexSettings(target.configuration))) {
      problems.push(`configuration differs (source ${sourceIndex})`);
    }
    return problems;
  }

  /** Creates the target collection like the source (metadata, distance space, index settings). */
  private async targetCollection(source: Collection): Promise<Collection | undefined> {
    const client = this.target.client;
    if (this.options.verifyOnly) {
      try {
        return await this.call(this.target, () => client.getCollection({ name: source.name }));
      } catch (error) {
        if (error instanceof ChromaNotFoundError) return undefined;
        throw error;
      }
    }
    const { hnsw, spann } = indexSettings(source.configuration);
    const configuration: CreateCollectionConfiguration = hnsw ? { hnsw } : spann ? { spann } : {};
    return this.call(this.target, () =>
      client.getOrCreateCollection({
        name: source.name,
        metadata: source.metadata,
        configuration,
        // The API computes embeddings itself; the copy must not attach an embedding function.
        embeddingFunction: null,
      }),
    );
  }

  private async write(target: Collection, records: ChromaRecord[]): Promise<void> {
    // Chroma refuses a documents list mixing strings and nulls, so documentless records go apart.
    const groups = [
      records.filter((record) => record.document !== null),
      records.filter((record) => record.document === null),
    ];
    for (const group of groups.filter((g) => g.length > 0)) {
      const withDocuments = group[0].document !== null;
      await this.call(this.target, () =>
        target.upsert({
          ids: group.map((record) => record.id),
          embeddings: group.map((record) => record.embedding),
          documents: withDocuments ? group.map((record) => record.document as string) : undefined,
          // Chroma accepts null for "no metadata" though the client types do not say so.
          metadatas: group.map((record) => record.metadata as Metadata),
        }),
      );
    }
  }

  /**
   * Visits the source's records page by page, reading the next page while one is visited (the
   * source is never written, so its pages stay put).
   */
  private async forEachSourcePage(
    collection: Collection,
    batchSize: number,
    visit: (records: ChromaRecord[]) => Promise<void>,
  ): Promise<void> {
    const read = (offset: number) =>
      this.call(this.source, () =>
        collection.get({ limit: batchSize, offset, include: INCLUDE_ALL }),
      );
    let next = read(0);
    for (let offset = 0; ; offset += batchSize) {
      const page = await next;
      const more = page.ids.length === batchSize;
      if (more) {
        next = read(offset + batchSize);
        // Awaited next round; this only keeps a failure there from going unhandled if visit throws.
        next.catch(() => undefined);
      }
      if (page.ids.length > 0) await visit(toRecords(page));
      if (!more) return;
    }
  }

  private async listSource(): Promise<Collection[]> {
    const all: Collection[] = [];
    for (let offset = 0; ; offset += LIST_PAGE_SIZE) {
      const page = await this.call(this.source, () =>
        this.source.client.listCollections({ limit: LIST_PAGE_SIZE, offset }),
      );
      all.push(...page);
      if (page.length < LIST_PAGE_SIZE) return all;
    }
  }

  private call<T>(endpoint: ChromaEndpoint, fn: () => Promise<T>): Promise<T> {
    return endpoint.deadline.run(this.options.timeoutMs, fn);
  }
}
