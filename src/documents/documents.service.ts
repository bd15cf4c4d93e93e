import { Injectable, Optional } from '@nestjs/common';
import { canAccessCollection, filterAccessibleCollections } from '../auth/collection-access';
import type { Principal } from '../auth/principal';
import { checkLogicalName } from '../collections/collection-names';
import { CollectionRouter } from '../collections/collection-router';
import {
  CollectionNotCreatedError,
  DomainError,
  InvalidInputError,
  NotFoundError,
} from '../common/domain-errors';
import { EmbedderCatalog } from '../embeddings/embedder-catalog';
import { fingerprintToString } from '../embeddings/embedder.port';
import {
  VectorStore,
  type ScoredRecord,
  type StoredRecord,
  type VectorRecord,
  type WhereFilter,
} from '../vector-store/vector-store.port';
import { chunkText } from './chunker';
import { checkDocumentId } from './document-id';
import type { HandlerDeadline } from '../observability/handler-deadline';
import { NOOP_RECORDER, OperationRecorder } from '../observability/operation-recorder';
import { DocumentsConfig } from './documents.config';
import {
  chunkHash,
  contentHash,
  SYSTEM_KEYS,
  validateMetadata,
  withDefaults,
} from './document-metadata';
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
import { CandidateRecords } from './candidate-records';
import { DEFAULT_RERANK_OPTIONS, LexicalReranker } from './lexical-reranker';
import { ResultRanker } from './result-ranker';
import { fileTypeVariantsOf, parseFilter } from './metadata-filter';

/** A validated document, chunked and hashed, ready to compare with what is stored. */
interface PreparedDocument {
  id: string;
  title: string;
  hash: string;
  metadata: ReturnType<typeof withDefaults>;
  chunks: string[];
}

/** Four decimals: more is float noise to a reader (0.6856785400000001). */
const roundScore = (value: number): number => Math.round(value * 10_000) / 10_000;

const chunkId = (documentId: string, index: number) => `${documentId}#${index}`;

/** The first `max` characters of a text, never ending in half a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

@Injectable()
export class DocumentsService {
  private readonly limits: DocumentsConfig;
  private readonly ranker: ResultRanker;
  /** Reranking queries' candidates, rows from caches (QUERY_TEXT_CACHE_ENTRIES > 0). */
  private readonly candidates?: CandidateRecords;

  constructor(
    config: DocumentsConfig,
    private readonly store: VectorStore,
    private readonly embedders: EmbedderCatalog,
    private readonly router: CollectionRouter,
    @Optional() private readonly recorder: OperationRecorder = NOOP_RECORDER,
  ) {
    this.limits = config;
    const reranker =
      this.limits.rerankCandidates > 0
        ? new LexicalReranker(DEFAULT_RERANK_OPTIONS, this.limits.rerankCacheEntries)
        : undefined;
    this.ranker = new ResultRanker(reranker, this.limits.rerankChunksPerDocument);
    if (reranker && this.limits.queryTextCacheEntries > 0) {
      this.candidates = new CandidateRecords(store, {
        textEntries: this.limits.queryTextCacheEntries,
        maxTextChars: this.limits.queryMaxChunkChars,
        metadataEntries: this.limits.queryMetadataCacheEntries,
        metadataTtlMs: this.limits.queryMetadataCacheTtlMs,
      });
    }
  }

  /**
   * With a request's `deadline`: nothing is written once it passed (embedding stops, the writes
   * are not started); the first write commits the request, which then answers when done.
   */
  async upsert(
    user: Principal,
    input: UpsertDocumentsDto,
    deadline?: HandlerDeadline,
  ): Promise<UpsertDocumentsResponseDto> {
    const collection = this.collectionName(user, input.collection);
    // Validate and prepare everything before the first write, so bad input changes nothing.
    const prepared = this.prepare(input.documents);
    deadline?.signal.throwIfAborted();
    const create = input.create_collection ?? this.limits.createCollectionsOnWrite;
    const targets = await this.router.writeTargets(collection, { create }).catch((error) => {
      throw !create && error instanceof NotFoundError
        ? new CollectionNotCreatedError(collection)
        : error;
    });

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
              chunk_hash: chunkHash(text),
            },
          });
        });
      }
      const keep = new Set(records.map((record) => record.id));
      const stale = changed.flatMap((doc) =>
        (storedByDocument.get(doc.id)?.ids ?? []).filter((id) => !keep.has(id)),
      );
      await this.router.toEach(targets, async (target) => {
        const embeddings = await target.embedder.embedDocuments(
          records.map((record) => record.text),
          titles,
          deadline?.signal,
        );
        deadline?.commit();
        // New chunks first, then the ones an edit no longer has: a crash in between leaves
        // extra chunks of the old version, never an edited document with a chunk id missing.
        // The store writes in batches, so a new document cut between two keeps its first
        // batches; the client got an error, and the same request again converges (upserts
        // are idempotent by id; test/reliability/upsert-batches.e2e-spec.ts).
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
    const active = await this.router.readable(collection);
    const embedding = await active.embedder.embedQuery(input.query);
    // Fetch a wider candidate set when reranking: the lexical stage finds the best of it.
    const rerank = this.limits.rerankCandidates > 0;
    const candidates = rerank ? Math.max(topK, this.limits.rerankCandidates) : topK;

    const tiers: [QueryTier, WhereFilter | undefined][] = [['exact', where]];
    if (where) {
      const variants = fileTypeVariantsOf(where, this.limits.filter.maxValues);
      if (variants) tiers.push(['variants', variants]);
      tiers.push(['unfiltered', undefined]);
    }
    let answer: { tier: QueryTier; hits: ScoredRecord[] } = { tier: 'exact', hits: [] };
    const search = this.candidates ?? this.store;
    for (const [tier, filter] of tiers) {
      answer = { tier, hits: await search.query(active.name, embedding, candidates, filter) };
      if (answer.hits.length > 0) break;
    }
    this.recorder.queryTier(answer.tier);
    // Chunks stored before chunks were capped can be huge: rerank and return a bounded part.
    const found = answer.hits.map((hit) => ({
      ...hit,
      text: cut(hit.text, this.limits.queryMaxChunkChars),
    }));
    const hits = this.ranker.rank(input.query, found, topK);
    return {
      tier: answer.tier,
      results: hits.map((hit) => ({
        id: hit.id,
        document_id: String(hit.metadata.document_id ?? hit.id),
        text: hit.text,
        metadata: hit.metadata,
        // Rounded for display: the order is decided before, on the unrounded figures.
        score: roundScore(hit.relevance),
        similarity: roundScore(hit.score),
      })),
    };
  }

  async getDocument(user: Principal, id: string, collectionInput?: string): Promise<DocumentDto> {
    const collection = this.collectionName(user, collectionInput);
    this.checkId(id, 'id');
    const active = await this.router.readable(collection);
    const records = await this.store.find(active.name, { document_id: { $eq: id } });
    if (records.length === 0) throw new NotFoundError('document', id);
    records.sort((a, b) => Number(a.metadata.chunk_index) - Number(b.metadata.chunk_index));
    const metadata = { ...records[0].metadata };
    for (const key of SYSTEM_KEYS) delete metadata[key];
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
    const records = await this.deleteWhere(collection, { document_id: { $eq: id } });
    if (records.length === 0) throw new NotFoundError('document', id);
    return { id, collection, deleted_chunks: records.length };
  }

  /**
   * Deletes whichever of these documents exist, with one lookup (ingest's stale parts, which
   * usually do not), and answers the ids of those that did.
   */
  async deleteExisting(
    user: Principal,
    ids: string[],
    collectionInput?: string,
  ): Promise<string[]> {
    const collection = this.collectionName(user, collectionInput);
    const records = await this.deleteWhere(collection, { document_id: { $in: ids } });
    return [...new Set(records.map((record) => String(record.metadata.document_id)))];
  }

  /** Deletes the chunks matching `where` from every generation written to; answers them. */
  private async deleteWhere(collection: string, where: WhereFilter): Promise<StoredRecord[]> {
    const targets = await this.router.writeTargets(collection, { create: false });
    const records = await this.store.find(targets.active.name, where);
    if (records.length === 0) return records;
    const ids = records.map((record) => record.id);
    await this.router.toEach(targets, (target) => this.store.deleteIds(target.name, ids));
    return records;
  }

  /** Logical collections, each described by its active generation. */
  async listCollections(user: Principal): Promise<CollectionDto[]> {
    const current = fingerprintToString((await this.embedders.current()).fingerprint);
    const collections = (await this.router.list()).map(
      ({ logical, generation, active }): CollectionDto => ({
        name: logical,
        count: active.count,
        embedder: active.fingerprint ?? null,
        compatible:
          active.fingerprint !== undefined && fingerprintToString(active.fingerprint) === current,
        active_collection: active.name,
        generation,
        index: active.index && {
          space: active.index.space,
          ef_construction: active.index.efConstruction,
          ef_search: active.index.efSearch,
          max_neighbors: active.index.maxNeighbors,
        },
      }),
    );
    return filterAccessibleCollections(user, collections, (dto) => dto.name);
  }

  /** A well-formed collection name the caller may use; a denied one answers like a missing one. */
  private collectionName(user: Principal, name: string | undefined): string {
    const collection = name ?? this.limits.defaultCollection;
    checkLogicalName(collection);
    if (!canAccessCollection(user, collection)) throw new NotFoundError('collection', collection);
    return collection;
  }

  private checkId(id: string, field: string): void {
    checkDocumentId(id, field, this.limits.maxIdChars);
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
