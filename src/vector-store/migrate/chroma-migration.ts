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
  sourceChecksum: string;
  targetChecksum: string;
  /** Why the collections differ; empty when the copy is verified. */
  problems: string[];
}

const LIST_PAGE_SIZE = 100;
const INCLUDE_ALL: ['embeddings', 'documents', 'metadatas'] = [
  'embeddings',
  'documents',
  'metadatas',
];
const SHOWN_DIFFERENCES = 3;

const withoutNulls = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(
    Object.entries(value).filter(([, item]) => item !== null && item !== undefined),
  ) as Partial<T>;

/** The index settings that define a collection (space, HNSW/SPANN parameters), nothing else. */
const indexSettings = (configuration: CollectionConfiguration | undefined) => ({
  hnsw: configuration?.hnsw ? withoutNulls(configuration.hnsw) : undefined,
  spann: configuration?.spann ? withoutNulls(configuration.spann) : undefined,
});

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

  private async migrateCollection(
    source: Collection,
    batchSize: number,
  ): Promise<CollectionReport> {
    const target = await this.targetCollection(source);
    const sourceSums = new CollectionChecksum();
    let copied = 0;
    await this.forEachPage(this.source, source, batchSize, async (records) => {
      records.forEach((record) => sourceSums.add(record.id, recordDigest(record)));
      if (!target || this.options.verifyOnly) return;
      const present = await this.call(this.target, () =>
        target.get({ ids: records.map((record) => record.id), include: INCLUDE_ALL }),
      );
      const presentDigests = new Map(toRecords(present).map((r) => [r.id, recordDigest(r)]));
      const changed = records.filter((r) => presentDigests.get(r.id) !== sourceSums.get(r.id));
      await this.write(target, changed);
      copied += changed.length;
    });

    const targetSums = new CollectionChecksum();
    if (target) {
      await this.forEachPage(this.target, target, batchSize, (records) => {
        records.forEach((record) => targetSums.add(record.id, recordDigest(record)));
        return Promise.resolve();
      });
    }
    const sourceCount = await this.call(this.source, () => source.count());
    const targetCount = target ? await this.call(this.target, () => target.count()) : 0;
    return {
      name: source.name,
      sourceCount,
      targetCount,
      copied,
      skipped: this.options.verifyOnly ? 0 : sourceSums.count - copied,
      sourceChecksum: sourceSums.hex(),
      targetChecksum: targetSums.hex(),
      problems: target
        ? this.compare(source, target, sourceCount, targetCount, sourceSums, targetSums)
        : ['missing on the target'],
    };
  }

  private compare(
    source: Collection,
    target: Collection,
    sourceCount: number,
    targetCount: number,
    sourceSums: CollectionChecksum,
    targetSums: CollectionChecksum,
  ): string[] {
    const problems: string[] = [];
    if (sourceCount !== targetCount) problems.push(`count ${targetCount} ≠ ${sourceCount}`);
    const differing = sourceSums.differences(targetSums);
    if (differing.length > 0) {
      const shown = differing.slice(0, SHOWN_DIFFERENCES).join(', ');
      const more =
        differing.length > SHOWN_DIFFERENCES
          ? ` and ${differing.length - SHOWN_DIFFERENCES} more`
          : '';
      problems.push(`checksum differs: ${shown}${more}`);
    }
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

  private async forEachPage(
    endpoint: ChromaEndpoint,
    collection: Collection,
    batchSize: number,
    visit: (records: ChromaRecord[]) => Promise<void>,
  ): Promise<void> {
    for (let offset = 0; ; offset += batchSize) {
      const page = await this.call(endpoint, () =>
        collection.get({ limit: batchSize, offset, include: INCLUDE_ALL }),
      );
      if (page.ids.length > 0) await visit(toRecords(page));
      if (page.ids.length < batchSize) return;
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
