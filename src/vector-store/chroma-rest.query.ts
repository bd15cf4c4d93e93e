import {
  ChromaClientError,
  ChromaConnectionError,
  ChromaForbiddenError,
  ChromaNotFoundError,
  ChromaRateLimitError,
  ChromaServerError,
  ChromaUnauthorizedError,
  ChromaValueError,
  type Collection,
  type Metadata,
  type Where,
} from 'chromadb';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ChromaSocketLimits } from './vector-store.config';

/** A self-hosted Chroma server's address and the headers every request carries (auth). */
export interface ChromaEndpoint {
  url: URL;
  headers: Record<string, string>;
}

/**
 * What a query's rows carry besides their ids: every row Chroma reads costs it (documents about
 * as much as all metadata; bench/README.md, "cost of candidates"), ids and distances almost nothing.
 */
export type QueryFields = 'distances' | 'all';

export interface RestQuery {
  embedding: number[];
  nResults: number;
  where?: Where;
  /** Absent fields are absent from the answer. */
  fields: QueryFields;
}

/** One upsert batch; embeddings travel as base64 float32, as the client sends them. */
export interface RestUpsert {
  ids: string[];
  embeddings: number[][];
  documents: string[];
  metadatas: (Metadata | null)[];
}

/**
 * Little-endian float32 in base64, Chroma's `base64_encoding`: the client builds it one byte
 * at a time through a string (183 ms for 500 × 1,124 dims on a quiet core; this: ~2 ms).
 */
export const packEmbedding = (embedding: number[]): string =>
  Buffer.from(new Float32Array(embedding).buffer).toString('base64');

const INCLUDE = {
  distances: ['distances'],
  all: ['documents', 'metadatas', 'distances'],
} as const;

/** Chroma's `include` for these fields. */
export const queryInclude = (fields: QueryFields) => INCLUDE[fields];

/** The fields of Chroma's query response we read: one row per query embedding. */
export interface RestQueryResult {
  ids: string[][];
  /** Absent when the query did not include them. */
  documents?: (string | null)[][];
  metadatas?: (Metadata | null)[][];
  distances: (number | null)[][];
}

const databasePath = ({ tenant, database }: Collection): string =>
  `/api/v2/tenants/${encodeURIComponent(tenant)}/databases/${encodeURIComponent(database)}`;

const statusError = (status: number, reason: string, path: string): Error => {
  switch (status) {
    case 400:
    case 422:
      // The client's own wording, so the store reports the reason the same way for every call.
      return new ChromaClientError(`Bad request to ${path} with status: ${reason}`);
    case 401:
      return new ChromaUnauthorizedError('Unauthorized');
    case 403:
      return new ChromaForbiddenError('Forbidden');
    case 404:
      return new ChromaNotFoundError('The requested resource could not be found');
    case 429:
      return new ChromaRateLimitError(reason);
    default:
      return new ChromaServerError(`${status}: ${reason}`);
  }
};

/** The server's message from an error body, else the raw text. */
const reasonOf = (body: string): string => {
  try {
    const { message, error } = JSON.parse(body) as { message?: unknown; error?: unknown };
    if (typeof message === 'string') return message;
    return typeof error === 'string' ? error : body;
  } catch {
    return body;
  }
};

/**
 * Chroma's query and upsert endpoints called on a keep-alive node:http agent instead of through
 * the client's fetch: queries are the hot path, and fetch's stream layers cost more CPU than the
 * rest of the call (0.7 vs 1.8–2.2 ms per query in bench/README.md); upserts carry their vectors
 * packed cheaply (packEmbedding). Failures become the client's own error classes, so the store
 * maps them exactly as for every other call.
 */
export class ChromaRestQuery {
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;

  constructor(
    private readonly endpoint: ChromaEndpoint,
    sockets: ChromaSocketLimits,
  ) {
    const https = endpoint.url.protocol === 'https:';
    // Bounded and reaped: dropped streams left up to ~800 idle sockets open for many minutes.
    // The agent destroys a pooled socket when `timeout` fires; an in-flight request only gets
    // a 'timeout' event, which nothing here handles (the request deadline covers it).
    const options = { keepAlive: true, maxSockets: sockets.max, timeout: sockets.idleMs };
    this.agent = https ? new HttpsAgent(options) : new HttpAgent(options);
    this.request = https ? httpsRequest : httpRequest;
  }

  query(collection: Collection, query: RestQuery, signal: AbortSignal): Promise<RestQueryResult> {
    const body = JSON.stringify({
      query_embeddings: [query.embedding],
      n_results: query.nResults,
      where: query.where,
      include: queryInclude(query.fields),
    });
    return this.send<RestQueryResult>(
      'POST',
      this.collectionPath(collection, 'query'),
      signal,
      body,
    );
  }

  /** The collection's metadata as stored now (the handle's copy is from when it was fetched). */
  async metadata(collection: Collection, signal: AbortSignal): Promise<Metadata | null> {
    // By name, as the client's getCollection asks for it.
    const path = `${databasePath(collection)}/collections/${encodeURIComponent(collection.name)}`;
    const found = await this.send<{ metadata?: Metadata | null }>('GET', path, signal);
    return found.metadata ?? null;
  }

  async upsert(collection: Collection, batch: RestUpsert, signal: AbortSignal): Promise<void> {
    // The client's own checks on ids, which the server would not make in its words.
    if (batch.ids.some((id) => id === ''))
      throw new ChromaValueError('Expected IDs to be non-empty strings');
    if (new Set(batch.ids).size !== batch.ids.length) {
      throw new ChromaValueError('Expected IDs to be unique');
    }
    const body = JSON.stringify({
      ids: batch.ids,
      embeddings: batch.embeddings.map(packEmbedding),
      documents: batch.documents,
      metadatas: batch.metadatas,
    });
    await this.send<unknown>('POST', this.collectionPath(collection, 'upsert'), signal, body);
  }

  private collectionPath(collection: Collection, operation: 'query' | 'upsert'): string {
    return `${databasePath(collection)}/collections/${encodeURIComponent(collection.id)}/${operation}`;
  }

  /** One request; a body makes it JSON. Answers the parsed JSON of a 200. */
  private send<T>(
    method: 'GET' | 'POST',
    path: string,
    signal: AbortSignal,
    body?: string,
  ): Promise<T> {
    const { url, headers } = this.endpoint;
    return new Promise((resolve, reject) => {
      const request = this.request(
        {
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port,
          path,
          method,
          agent: this.agent,
          signal,
          headers:
            body === undefined
              ? headers
              : {
                  ...headers,
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(body),
                },
        },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error) => reject(new ChromaConnectionError(error.message)));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = response.statusCode ?? 0;
            if (status !== 200) return reject(statusError(status, reasonOf(text), path));
            try {
              resolve(JSON.parse(text) as T);
            } catch (error) {
              reject(
                new ChromaServerError(`Chroma answered ${method} ${path} with invalid JSON`, error),
              );
            }
          });
        },
      );
      request.on('error', (error) =>
        reject(new ChromaConnectionError(`Failed to connect to Chroma: ${error.message}`)),
      );
      request.end(body);
    });
  }

  /** Closes idle keep-alive sockets; in-flight requests finish. */
  close(): void {
    this.agent.destroy();
  }
}
