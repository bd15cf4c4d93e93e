import type { Env } from '../config/env.schema';

/** Chunking, request limits, retrieval and metadata-filter bounds of the documents API. */
export abstract class DocumentsConfig {
  abstract readonly defaultCollection: string;
  /** An upsert without `create_collection` creates a missing collection (else 404 naming it). */
  abstract readonly createCollectionsOnWrite: boolean;
  abstract readonly chunkSize: number;
  abstract readonly chunkOverlap: number;
  abstract readonly maxDocumentsPerRequest: number;
  abstract readonly maxTextBytes: number;
  abstract readonly maxQueryChars: number;
  abstract readonly maxTopK: number;
  abstract readonly defaultTopK: number;
  /** Chunks fetched for the lexical rerank stage (at least top_k); 0 turns reranking off. */
  abstract readonly rerankCandidates: number;
  /** Chunk and title texts whose term counts the reranker keeps (about 1.5 KB each); 0: none. */
  abstract readonly rerankCacheEntries: number;
  /** Candidates of one document that are reranked (more are ranked after them); 0: all. */
  abstract readonly rerankChunksPerDocument: number;
  /**
   * Chunk texts kept by their hash: a reranking query then fetches its candidates as ids and
   * scores and reads their rows from caches (CandidateRecords); 0: rows always come with them.
   * Only texts of at most queryMaxChunkChars are kept.
   */
  abstract readonly queryTextCacheEntries: number;
  /** Chunk metadata kept by chunk id under the collection's write token; 0: none kept. */
  abstract readonly queryMetadataCacheEntries: number;
  /** How long cached metadata is served at most (bounds writes made around the API). */
  abstract readonly queryMetadataCacheTtlMs: number;
  /**
   * Characters of each candidate chunk a query reranks and returns; longer texts (stored before
   * chunks were capped at chunkSize) are cut, so a query's text is at most this × candidates.
   */
  abstract readonly queryMaxChunkChars: number;
  abstract readonly maxIdChars: number;
  abstract readonly maxMetadataKeys: number;
  abstract readonly maxMetadataValueChars: number;
  abstract readonly filter: {
    maxDepth: number;
    maxConditions: number;
    maxListLength: number;
    /** Values in a whole filter, the user's and the `variants` tier's expansion alike. */
    maxValues: number;
  };
}

/** Built once at boot from the validated environment (DocumentsModule's provider). */
export const documentsConfigFrom = (env: Env): DocumentsConfig => ({
  defaultCollection: env.DEFAULT_COLLECTION,
  createCollectionsOnWrite: env.COLLECTIONS_CREATE_ON_WRITE,
  chunkSize: env.CHUNK_SIZE,
  chunkOverlap: env.CHUNK_OVERLAP,
  maxDocumentsPerRequest: env.MAX_DOCUMENTS_PER_REQUEST,
  maxTextBytes: env.MAX_TEXT_BYTES,
  maxQueryChars: env.MAX_QUERY_CHARS,
  maxTopK: env.MAX_TOP_K,
  defaultTopK: env.DEFAULT_TOP_K,
  rerankCandidates: env.RERANK_CANDIDATES,
  rerankCacheEntries: env.RERANK_CACHE_ENTRIES,
  rerankChunksPerDocument: env.RERANK_CHUNKS_PER_DOCUMENT,
  queryTextCacheEntries: env.QUERY_TEXT_CACHE_ENTRIES,
  queryMetadataCacheEntries: env.QUERY_METADATA_CACHE_ENTRIES,
  queryMetadataCacheTtlMs: env.QUERY_METADATA_CACHE_TTL_MS,
  queryMaxChunkChars: env.QUERY_MAX_CHUNK_CHARS ?? env.CHUNK_SIZE,
  maxIdChars: env.MAX_ID_CHARS,
  maxMetadataKeys: env.MAX_METADATA_KEYS,
  maxMetadataValueChars: env.MAX_METADATA_VALUE_CHARS,
  filter: {
    maxDepth: env.FILTER_MAX_DEPTH,
    maxConditions: env.FILTER_MAX_CONDITIONS,
    maxListLength: env.FILTER_MAX_LIST_LENGTH,
    maxValues: env.FILTER_MAX_VALUES,
  },
});
