/**
 * Latency of POST /fast_chat with the extractive provider over a 1,000-chunk collection held
 * by a real Chroma server (the embedded strategy: the app supervises a Chroma process on a temp
 * folder). Chunks are npm READMEs from node_modules cut by the service's own chunker; the
 * questions are bench/retrieval's. Measures, over real HTTP, time to the first `token` event
 * and to the end of the stream (SSE), and the whole JSON answer.
 * Usage: npx ts-node --transpile-only bench/chat/run.ts [requests=50]
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { documentsConfigFrom, type DocumentsConfig } from '../../src/documents/documents.config';
import { chunkText } from '../../src/documents/chunker';
import { loadCorpus } from '../retrieval/corpus';
import { QUESTIONS } from '../retrieval/questions';
import { ROOT, startBenchApp } from './bench-app';

const CHUNKS = 1000;
const BATCH_DOCUMENTS = 100;
const WARMUP = 5;
const COLLECTION = 'bench-chat';

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const summary = (values: number[]) =>
  `median ${percentile(values, 50).toFixed(1)} ms, p95 ${percentile(values, 95).toFixed(1)} ms`;

/** The first CHUNKS chunks of the READMEs, each stored as its own one-chunk document. */
function passages(config: DocumentsConfig): { id: string; text: string }[] {
  const chunking = { size: config.chunkSize, overlap: config.chunkOverlap };
  const out: { id: string; text: string }[] = [];
  for (const doc of loadCorpus(join(ROOT, 'node_modules')).docs) {
    chunkText(doc.text, chunking).forEach((text, n) => out.push({ id: `${doc.id}/${n}`, text }));
    if (out.length >= CHUNKS) break;
  }
  return out.slice(0, CHUNKS);
}

async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? 50);
  const { env, post, close } = await startBenchApp('rag-bench-chat-');

  try {
    const documents = passages(documentsConfigFrom(env));
    const ingestStart = performance.now();
    let chunks = 0;
    for (let i = 0; i < documents.length; i += BATCH_DOCUMENTS) {
      const response = await post('/chroma/update', {
        collection: COLLECTION,
        documents: documents.slice(i, i + BATCH_DOCUMENTS),
      });
      if (!response.ok) throw new Error(`ingest: HTTP ${response.status} ${await response.text()}`);
      const { results } = (await response.json()) as { results: { chunks: number }[] };
      chunks += results.reduce((sum, result) => sum + result.chunks, 0);
    }
    if (chunks !== CHUNKS) throw new Error(`stored ${chunks} chunks instead of ${CHUNKS}`);
    console.log(
      `ingested ${documents.length} documents, ${chunks} chunks in ${((performance.now() - ingestStart) / 1000).toFixed(1)} s`,
    );

    const question = (i: number) => QUESTIONS[i % QUESTIONS.length].question;
    const streamed = async (i: number) => {
      const started = performance.now();
      const response = await post('/fast_chat', {
        collection: COLLECTION,
        question: question(i),
        stream: true,
      });
      if (!response.ok) throw new Error(`fast_chat stream: HTTP ${response.status}`);
      let firstToken: number | undefined;
      const events = response
        .body!.pipeThrough(new TextDecoderStream())
        .pipeThrough(new EventSourceParserStream());
      for await (const { event } of events) {
        if (event === 'token') firstToken ??= performance.now() - started;
        if (event === 'error') throw new Error('the stream reported an error');
      }
      return { ttft: firstToken ?? NaN, total: performance.now() - started };
    };
    const json = async (i: number) => {
      const started = performance.now();
      const response = await post('/fast_chat', { collection: COLLECTION, question: question(i) });
      if (!response.ok) throw new Error(`fast_chat: HTTP ${response.status}`);
      await response.json();
      return performance.now() - started;
    };

    for (let i = 0; i < WARMUP; i++) await streamed(i);
    const sse = [];
    for (let i = 0; i < requests; i++) sse.push(await streamed(i));
    const plain = [];
    for (let i = 0; i < requests; i++) plain.push(await json(i));

    console.log(`${requests} sequential requests each, extractive provider, top_k default`);
    console.log(`SSE time to first token: ${summary(sse.map((r) => r.ttft))}`);
    console.log(`SSE total:               ${summary(sse.map((r) => r.total))}`);
    console.log(`JSON total:              ${summary(plain)}`);
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
