/**
 * The peer baseline: the usual LangChain.js shape of the same service. A plain Express server
 * whose POST /query runs a LangChain Chroma retriever over the same collection, with the app's
 * own embedder (from dist/) wrapped as LangChain Embeddings. No auth, no rerank, no registry.
 * Env: PORT, CHROMA_URL, MODELS_DIR. Plain JS: its packages live in bench/peer/node_modules only.
 */
const express = require('express');
const { Embeddings } = require('@langchain/core/embeddings');
const { Chroma } = require('@langchain/community/vectorstores/chroma');
const { parseEnv } = require('../../dist/config/env');
const { embeddingsConfigFrom } = require('../../dist/embeddings/embeddings.config');
const { CachingEmbedder } = require('../../dist/embeddings/caching.embedder');
const { DEFAULT_GLOVE_FEATURES, GloveEmbedder } = require('../../dist/embeddings/glove.embedder');
const { GloveVectors } = require('../../dist/embeddings/glove-vectors');

class AppEmbeddings extends Embeddings {
  constructor(inner) {
    super({});
    this.inner = inner;
  }
  embedDocuments(texts) {
    return this.inner.embedDocuments(texts);
  }
  embedQuery(text) {
    return this.inner.embedQuery(text);
  }
}

const settings = embeddingsConfigFrom(parseEnv({ MODELS_DIR: process.env.MODELS_DIR }));
const glove = new GloveEmbedder(() => GloveVectors.load(process.env.MODELS_DIR), {
  ...DEFAULT_GLOVE_FEATURES,
  lexicalDimensions: settings.lexicalDimensions,
});
const embeddings = new AppEmbeddings(
  new CachingEmbedder(glove, { cacheSize: settings.cacheSize, batchSize: settings.batchSize }),
);
// One vector store per collection, as a LangChain app would keep them.
const stores = new Map();
const storeFor = (collectionName) => {
  if (!stores.has(collectionName))
    stores.set(
      collectionName,
      new Chroma(embeddings, { collectionName, url: process.env.CHROMA_URL }),
    );
  return stores.get(collectionName);
};

const app = express();
app.use(express.json());
app.post('/query', async (req, res) => {
  try {
    const { collection, query, top_k: k = 5 } = req.body;
    const docs = await storeFor(collection).asRetriever({ k }).invoke(query);
    res.json({
      results: docs.map((doc) => ({ id: doc.id, text: doc.pageContent, metadata: doc.metadata })),
    });
  } catch (error) {
    res.status(500).json({ message: String(error) });
  }
});
app.get('/health', (_req, res) => res.json({ status: 'ok' }));
glove.ready().then(
  () => app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('peer ready')),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
