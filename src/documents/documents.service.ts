import { Injectable, Logger } from '@nestjs/common';
import { canAccessCollection, filterAccessibleCollections } from '../auth/collection-access';
import type { Principal } from '../auth/principal';
import {
  DomainError,
  EmbedderMismatchError,
  InvalidInputError,
  NotFoundError,
} from '../common/domain-errors';
import { EmbedderCatalog } from '../embeddings/embedder-catalog';
import { fingerprintToString, type Embedder } from '../embeddings/embedder.port';
import {
  checkLogicalName,
  CollectionRegistry,
  isReservedName,
  type RegistryEntry,
} from '../vector-store/collection-registry';
import {
  VectorStore,
  type ScoredRecord,
  type VectorRecord,
  type WhereFilter,
} from '../vector-store/vector-store.port';
import { chunkText } from './chunker';
import { DocumentsConfig } from './documents.config';
import { contentHash, validateMetadata, withDefaults } from './document-metadata';
import type { CollectionDto, DeleteDocumentResponseDto, DocumentDto } from './dto/document.dto';
import type {
  QueryDocumentsDto,
  QueryDocumentsResponseDto,
  QueryTier,
} from './dto/query-documents.dto';
import type {
  DocumentUpsertResultDto,
  UpsertDocumentsDto,
  UpsertDocumentsResponseDto,
} from './dto/upsert-documents.dto';
import { DEFAULT_RERANK_OPTIONS, LexicalReranker } from './lexical-reranker';
import { fileTypeVariantsOf, parseFilter } from './metadata-filter';

/** A validated document, chunked and hashed, ready to compare with what is stored. */
interface PreparedDocument {
  id: string;
  title: string;
  hash: string;
  metadata: ReturnType<typeof withDefaults>;
  chunks: string[];
}

/** A physical collection and the embedder that made its vectors. */
interface Target {
  name: string;
  embedder: Embedder;
}

/** Where a logical collection's writes go: its active generation first, then the others kept in step. */
interface WriteTargets {
  active: Target;
  /** The building generation (must follow, unless a restarted build dropped it) and the previous one (best effort, for rollback). */
  others: (Target & { tolerates: (error: unknown) => boolean })[];
}

const chunkId = (documentId: string, index: number) => `${documentId}#${index}`;

@Injectable()
export class DocumentsService {
  private readonly limits: DocumentsConfig;
  private readonly reranker: LexicalReranker;
  private readonly logger = new Logger(DocumentsService.name);

  constructor(
    config: DocumentsConfig,
    private readonly store: VectorStore,
    private readonly embedders: EmbedderCatalog,
    private readonly registry: CollectionRegistry,
  ) {
    this.limits = config;
    this.reranker = new LexicalReranker(DEFAULT_RERANK_OPTIONS, this.limits.rerankCacheEntries);
  }

  async upsert(user: Principal, input: UpsertDocumentsDto): Promise<UpsertDocumentsResponseDto> {
    const collection = this.collectionName(user, input.collection);
    // Validate and prepare everything before the first write, so bad input changes nothing.
    const prepared = this.prepare(input.documents);
    const targets = await this.writeTargets(collection);

    const stored = await this.store.find(targets.active.name, {
      document_id: { $in: prepared.map((doc) => doc.id) },
    });
    const storedByDocument = new Map<string, { ids: string[]; hashes: Set<unknown> }>();
    for (const record of stored) {
      const documentId = String(record.metadata.document_id);
      const entry = storedByDocument.get(documentId) ?? { ids: [], hashes: new Set() };
      entry.ids.push(record.id);
      entry.hashes.add(record.metadata.content_hash);
      storedByDocument.set(documentId, entry);
    }

    const results: DocumentUpsertResultDto[] = [];
    const changed: PreparedDocument[] = [];
    for (const doc of prepared) {
      const existing = storedByDocument.get(doc.id);
      const unchanged =
        existing?.ids.length === doc.chunks.length &&
        existing.hashes.size === 1 &&
        existing.hashes.has(doc.hash);
      results.push({
        id: doc.id,
        chunks: doc.chunks.length,
        status: unchanged ? 'unchanged' : existing ? 'updated' : 'created',
      });
      if (!unchanged) changed.push(doc);
    }

    if (changed.length > 0) {
      const titles = changed.flatMap((doc) => doc.chunks.map(() => doc.title));
      const records: Omit<VectorRecord, 'embedding'>[] = [];
      for (const doc of changed) {
        doc.chunks.forEach((text, index) => {
          records.push({
            id: chunkId(doc.id, index),
            text,
            metadata: {
              ...doc.metadata,
              document_id: doc.id,
              chunk_index: index,
              chunk_count: doc.chunks.length,
              content_hash: doc.hash,
            },
          });
        });
      }
      const keep = new Set(records.map((record) => record.id));
      const stale = changed.flatMap((doc) =>
        (storedByDocument.get(doc.id)?.ids ?? []).filter((id) => !keep.has(id)),
      );
      await this.toEach(targets, async (target) => {
        const embeddings = await target.embedder.embedDocuments(
          records.map((record) => record.text),
          titles,
        );
        // New chunks first, then the ones an edit no longer has: a crash in between leaves
        // extra chunks of the old version, never a document with missing chunks.
        await this.store.upsert(
          target.name,
          records.map((record, i) => ({ ...record, embedding: embeddings[i] })),
        );
        if (stale.length > 0) await this.store.deleteIds(target.name, stale);
      });
    }
    return { collection, results };
  }

  async query(user: Principal, input: QueryDocumentsDto): Promise<QueryDocumentsResponseDto> {
    const collection = this.collectionName(user, input.collection);
    if (input.query.trim().length === 0) throw new InvalidInputError('query', 'must not be blank');
    if (input.query.length > this.limits.maxQueryChars) {
      throw new InvalidInputError(
        'query',
        `must be at most ${this.limits.maxQueryChars} characters`,
      );
    }
    const topK = input.top_k ?? this.limits.defaultTopK;
    if (topK > this.limits.maxTopK) {
      throw new InvalidInputError('top_k', `must not be greater than ${this.limits.maxTopK}`);
    }
    const where = parseFilter(input.filter, this.limits.filter);
    const active = await this.readable(collection);
    const embedding = await active.embedder.embedQuery(input.query);
    // Fetch a wider candidate set when reranking: the lexical stage finds the best of it.
    const rerank = this.limits.rerankCandidates > 0;
    const candidates = rerank ? Math.max(topK, this.limits.rerankCandidates) : topK;

    const tiers: [QueryTier, WhereFilter | undefined][] = [['exact', where]];
    if (where) {
      const variants = fileTypeVariantsOf(where);
      if (variants) tiers.push(['variants', variants]);
      tiers.push(['unfiltered', undefined]);
    }
    let answer: { tier: QueryTier; hits: ScoredRecord[] } = { tier: 'exact', hits: [] };
    for (const [tier, filter] of tiers) {
      answer = { tier, hits: await this.store.query(active.name, embedding, candidates, filter) };
      if (answer.hits.length > 0) break;
    }
    const hits = rerank
      ? this.reranker.rerank(input.query, answer.hits).slice(0, topK)
      : answer.hits;
    return {
      tier: answer.tier,
      results: hits.map((hit) => ({
        id: hit.id,
        document_id: String(hit.metadata.document_id ?? hit.id),
        text: hit.text,
        metadata: hit.metadata,
        score: hit.score,
      })),
    };
  }

  async getDocument(user: Principal, id: string, collectionInput?: string): Promise<DocumentDto> {
    const collection = this.collectionName(user, collectionInput);
    this.checkId(id, 'id');
    const active = await this.readable(collection);
    const records = await this.store.find(active.name, { document_id: { $eq: id } });
    if (records.length === 0) throw new NotFoundError('document', id);
    records.sort((a, b) => Number(a.metadata.chunk_index) - Number(b.metadata.chunk_index));
    const metadata = { ...records[0].metadata };
    for (const key of ['chunk_index', 'chunk_count', 'content_hash', 'document_id'])
      delete metadata[key];
    return {
      id,
      collection,
      title: String(metadata.title ?? ''),
      metadata,
      chunks: records.map((record) => ({
        id: record.id,
        index: Number(record.metadata.chunk_index),
        text: record.text,
      })),
    };
  }

  async deleteDocument(
    user: Principal,
    id: string,
    collectionInput?: string,
  ): Promise<DeleteDocumentResponseDto> {
    const collection = this.collectionName(user, collectionInput);
    this.checkId(id, 'id');
    const targets = await this.writeTargets(collection, { create: false });
    const records = await this.store.find(targets.active.name, { document_id: { $eq: id } });
    if (records.length === 0) throw new NotFoundError('document', id);
    const ids = records.map((record) => record.id);
    await this.toEach(targets, (target) => this.store.deleteIds(target.name, ids));
    return { id, collection, deleted_chunks: records.length };
  }

  /** Logical collections, each described by its active generation. */
  async listCollections(user: Principal): Promise<CollectionDto[]> {
    const current = fingerprintToString((await this.embedders.current()).fingerprint);
    const [collections, entries] = await Promise.all([
      this.store.listCollections(),
      this.registry.entries(),
    ]);
    const byName = new Map(collections.map((info) => [info.name, info]));
    const logical = new Map<string, CollectionDto>();
    const add = (name: string, generation: number, info = byName.get(name)) => {
      if (!info) return;
      logical.set(name, {
        name,
        count: info.count,
        embedder: info.fingerprint ?? null,
        compatible:
          info.fingerprint !== undefined && fingerprintToString(info.fingerprint) === current,
        active_collection: info.name,
        generation,
      });
    };
    for (const entry of entries)
      add(entry.logical, entry.active.generation, byName.get(entry.active.name));
    // Collections without an entry are their own generation 0; physical generations stay hidden.
    for (const info of collections) {
      if (!isReservedName(info.name) && !logical.has(info.name)) add(info.name, 0);
    }
    return filterAccessibleCollections(user, [...logical.values()], (dto) => dto.name);
  }

  /** A well-formed collection name the caller may use; a denied one answers like a missing one. */
  private collectionName(user: Principal, name: string | undefined): string {
    const collection = name ?? this.limits.defaultCollection;
    checkLogicalName(collection);
    if (!canAccessCollection(user, collection)) throw new NotFoundError('collection', collection);
    return collection;
  }

  /** The active generation of a logical collection, with the embedder that made it. */
  private async readable(collection: string, entry?: RegistryEntry): Promise<Target> {
    const resolved = entry ?? (await this.registry.resolve(collection));
    const name = resolved?.active.name ?? collection;
    const info = await this.store.describeFingerprint(name);
    if (!info) throw new NotFoundError('collection', collection);
    const embedder = info.fingerprint && (await this.embedders.forFingerprint(info.fingerprint));
    if (!embedder) {
      const current = fingerprintToString((await this.embedders.current()).fingerprint);
      const stored = info.fingerprint ? fingerprintToString(info.fingerprint) : 'unknown';
      throw new EmbedderMismatchError(collection, stored, current);
    }
    return { name, embedder };
  }

  /**
   * Where writes go. Without a registry entry the collection is its own generation 0, created
   * with the configured embedder on first write; with one, a running build and the previous
   * generation get every write too, so neither the switch nor a rollback loses any.
   */
  private async writeTargets(collection: string, { create = true } = {}): Promise<WriteTargets> {
    const entry = await this.registry.resolve(collection);
    if (!entry && create && !(await this.store.describeCollection(collection))) {
      const current = await this.embedders.current();
      await this.store.ensureCollection(collection, current.fingerprint);
      return { active: { name: collection, embedder: current }, others: [] };
    }
    const active = await this.readable(collection, entry);
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
  private async toEach(targets: WriteTargets, write: (target: Target) => Promise<void>) {
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

  private checkId(id: string, field: string): void {
    if (id.length === 0 || id.length > this.limits.maxIdChars) {
      throw new InvalidInputError(field, `must be 1 to ${this.limits.maxIdChars} characters`);
    }
    // `#` separates the document id from the chunk index; control characters break logs.
    if (/[#\p{Cc}]/u.test(id)) {
      throw new InvalidInputError(field, 'must not contain # or control characters');
    }
  }

  private prepare(documents: UpsertDocumentsDto['documents']): PreparedDocument[] {
    if (documents.length > this.limits.maxDocumentsPerRequest) {
      throw new InvalidInputError(
        'documents',
        `must contain at most ${this.limits.maxDocumentsPerRequest} documents`,
      );
    }
    const seen = new Set<string>();
    const chunking = { size: this.limits.chunkSize, overlap: this.limits.chunkOverlap };
    return documents.map((doc, i) => {
      const path = `documents[${i}]`;
      this.checkId(doc.id, `${path}.id`);
      if (seen.has(doc.id)) throw new InvalidInputError(`${path}.id`, `repeats id '${doc.id}'`);
      seen.add(doc.id);
      if (Buffer.byteLength(doc.text, 'utf8') > this.limits.maxTextBytes) {
        throw new DomainError(
          'payload_too_large',
          `${path}.text: is larger than ${this.limits.maxTextBytes} bytes (MAX_TEXT_BYTES)`,
          { field: `${path}.text` },
        );
      }
      const chunks = chunkText(doc.text, chunking);
      if (chunks.length === 0) throw new InvalidInputError(`${path}.text`, 'must not be blank');
      const metadata = withDefaults(
        doc.id,
        doc.text,
        validateMetadata(doc.metadata, `${path}.metadata`, {
          maxKeys: this.limits.maxMetadataKeys,
          maxValueChars: this.limits.maxMetadataValueChars,
        }),
      );
      return {
        id: doc.id,
        title: String(metadata.title),
        hash: contentHash(doc.text, metadata, chunking),
        metadata,
        chunks,
      };
    });
  }
}
