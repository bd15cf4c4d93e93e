/**
 * "The limit": the smallest HTTP server that answers a query, so it is measured exactly like
 * the API and the peer (its own process, driven by the same load generator over loopback HTTP).
 * POST /query {collection, query, top_k} embeds the query with the app's embedder stack (GloVe
 * behind the query cache), calls the chromadb client's `collection.query` and answers the rows
 * as JSON. Nothing else: no framework, no auth, no validation, no logging.
 * Env: PORT, HOST, CHROMA_URL, MODELS_DIR; LIMIT_CANDIDATES (default: top_k) rows fetched from
 * Chroma; LIMIT_RERANK=1 reorders them with the service's LexicalReranker and keeps top_k (the
 * API's default retrieval without the API around it).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Collection } from 'chromadb';
import { readEnv } from '../../src/config/env';
import { documentsConfigFrom } from '../../src/documents/documents.config';
import { DEFAULT_RERANK_OPTIONS, LexicalReranker } from '../../src/documents/lexical-reranker';
import { appEmbedder, chromaClient } from './shared';

interface QueryBody {
  collection: string;
  query: string;
  top_k: number;
}

const candidates = process.env.LIMIT_CANDIDATES ? Number(process.env.LIMIT_CANDIDATES) : 0;
const reranker =
  process.env.LIMIT_RERANK === '1'
    ? new LexicalReranker(DEFAULT_RERANK_OPTIONS, documentsConfigFrom(readEnv()).rerankCacheEntries)
    : undefined;
const embedder = appEmbedder();
const client = chromaClient(process.env.CHROMA_URL ?? '');
const collections = new Map<string, Promise<Collection>>();
const collectionNamed = (name: string): Promise<Collection> => {
  let collection = collections.get(name);
  if (!collection) {
    collection = client.getCollection({ name });
    collections.set(name, collection);
  }
  return collection;
};

async function readJson(request: IncomingMessage): Promise<QueryBody> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as QueryBody;
}

async function answer({ collection, query, top_k: topK }: QueryBody): Promise<unknown> {
  const embedding = await embedder.embedQuery(query);
  const found = await (
    await collectionNamed(collection)
  ).query({
    queryEmbeddings: [embedding],
    nResults: candidates || topK,
    include: ['documents', 'metadatas', 'distances'],
  });
  const rows = found.ids[0].map((id, k) => ({
    id,
    text: found.documents[0][k] ?? '',
    metadata: found.metadatas[0][k] ?? {},
    score: 1 - (found.distances[0][k] ?? 1),
  }));
  return { results: reranker ? reranker.rerank(query, rows).slice(0, topK) : rows };
}

const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/health') {
    response.end('{"status":"ok"}');
    return;
  }
  readJson(request)
    .then(answer)
    .then(
      (body) => {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(body));
      },
      (error: unknown) => {
        response.statusCode = 500;
        response.end(JSON.stringify({ message: String(error) }));
      },
    );
});

embedder.ready().then(
  () => server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1'),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
