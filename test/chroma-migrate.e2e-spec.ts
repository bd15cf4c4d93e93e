import { ChromaClient, type Collection, type Metadata } from 'chromadb';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { loadCorpus } from '../bench/retrieval/corpus';
import { parseEnv } from '../src/config/env';
import { documentsConfigFrom, type DocumentsConfig } from '../src/documents/documents.config';
import { embeddingsConfigFrom, type EmbeddingsConfig } from '../src/embeddings/embeddings.config';
import { vectorStoreConfigFrom } from '../src/vector-store/vector-store.config';
import { chunkText } from '../src/documents/chunker';
import { DEFAULT_GLOVE_FEATURES, GloveEmbedder } from '../src/embeddings/glove.embedder';
import { GloveVectors } from '../src/embeddings/glove-vectors';
import { runChromaMigrate } from '../src/cli/chroma-migrate';
import { TestChromaServer } from './support/chroma-server';
import { TEST_MODELS_DIR } from './support/test-app';

/**
 * The migration between two real Chroma servers on a realistic collection: package READMEs,
 * chunked as the API chunks them and embedded by the default local embedder, in a cosine
 * collection like the one the API creates.
 */
const ROOT = join(__dirname, '..');
const COLLECTION = 'readmes';
const MIN_RECORDS = 5000;
const WRITE_BATCH = 500;

interface MigrateRun {
  code: number;
  text: string;
  /** The collection's row after its name: source, target, copied, skipped, checksum, status. */
  row: string[];
}

const rowOf = (text: string): string[] =>
  (text.split('\n').find((line) => line.startsWith(`${COLLECTION} `)) ?? '')
    .split(/\s{2,}/)
    .slice(1);

/** The exported CLI in this process: the same code, without a process start per run. */
async function migrate(args: string[]): Promise<MigrateRun> {
  const lines: string[] = [];
  const code = await runChromaMigrate(args, vectorStoreConfigFrom(parseEnv({})), (line) =>
    lines.push(line),
  );
  const text = lines.join('\n');
  return { code, text, row: rowOf(text) };
}

/** The real CLI as the runbook runs it, `npm run chroma:migrate`, in a child process. */
function migrateProcess(args: string[]): Promise<MigrateRun> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'chroma:migrate', '--', ...args],
      { cwd: ROOT, timeout: 120_000, env: { ...process.env, NODE_ENV: 'development' } },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number(error.code ?? 1) : 0,
          text: `${stdout}${stderr}`,
          row: rowOf(stdout),
        }),
    );
  });
}

const collectionAt = (url: string): Promise<Collection> => {
  const { hostname, port } = new URL(url);
  return new ChromaClient({ host: hostname, port: Number(port) }).getCollection({
    name: COLLECTION,
  });
};

/** The default embedder, configured as the embeddings module configures it. */
const defaultEmbedder = (config: EmbeddingsConfig): GloveEmbedder =>
  new GloveEmbedder((vocabulary) => GloveVectors.load(TEST_MODELS_DIR, { maxWords: vocabulary }), {
    ...DEFAULT_GLOVE_FEATURES,
    lexicalDimensions: config.lexicalDimensions,
    vocabulary: config.gloveVocabulary,
  });

/** Chunks of the pinned README corpus, in corpus order, until there are `count`. */
function readmeChunks(config: DocumentsConfig, count: number) {
  const { chunkSize: size, chunkOverlap: overlap } = config;
  const chunks: { id: string; text: string; title: string; metadata: Metadata }[] = [];
  const { docs } = loadCorpus(join(ROOT, 'node_modules'));
  for (const [rank, doc] of docs.entries()) {
    const texts = chunkText(doc.text, { size, overlap });
    texts.forEach((text, index) =>
      chunks.push({
        id: `${doc.id}#${index}`,
        text,
        title: doc.id,
        // The API's keys and value types: strings, integers, booleans.
        metadata: {
          document_id: doc.id,
          chunk_index: index,
          chunk_count: texts.length,
          title: doc.id,
          file_type: 'text/markdown',
          rank,
          scoped: doc.id.startsWith('@'),
        },
      }),
    );
    if (chunks.length >= count) break;
  }
  return chunks;
}

describe('chroma:migrate on 5,000+ records of the default embedder’s vectors', () => {
  let source: TestChromaServer;
  let target: TestChromaServer;
  let records = 0;
  const timings: string[] = [];
  const timed = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await run();
    } finally {
      timings.push(`${label}: ${Date.now() - started} ms`);
    }
  };
  const urls = () => ['--from', source.url, '--to', target.url];

  beforeAll(async () => {
    const env = parseEnv({});
    const embedder = defaultEmbedder(embeddingsConfigFrom(env));
    [source, target] = await Promise.all([
      TestChromaServer.start(),
      TestChromaServer.start(),
      embedder.ready(),
    ]);
    const chunks = readmeChunks(documentsConfigFrom(env), MIN_RECORDS);
    records = chunks.length;
    await timed(`embed and store ${records} chunks`, async () => {
      const { hostname, port } = new URL(source.url);
      const stored = await new ChromaClient({
        host: hostname,
        port: Number(port),
      }).createCollection({
        name: COLLECTION,
        embeddingFunction: null,
        configuration: { hnsw: { space: 'cosine' } },
        metadata: {
          embedder_provider: embedder.fingerprint.provider,
          embedder_model: embedder.fingerprint.model,
          embedder_dimension: embedder.fingerprint.dimension,
        },
      });
      for (let i = 0; i < chunks.length; i += WRITE_BATCH) {
        const batch = chunks.slice(i, i + WRITE_BATCH);
        await stored.add({
          ids: batch.map((chunk) => chunk.id),
          embeddings: await embedder.embedDocuments(
            batch.map((chunk) => chunk.text),
            batch.map((chunk) => chunk.title),
          ),
          documents: batch.map((chunk) => chunk.text),
          metadatas: batch.map((chunk) => chunk.metadata),
        });
      }
    });
  }, 120_000);

  afterAll(async () => {
    console.log(`chroma:migrate e2e (${records} records)\n${timings.join('\n')}`);
    await Promise.all([source?.destroy(), target?.destroy()]);
  });

  it('copies every record and verifies it: exit 0', async () => {
    expect(records).toBeGreaterThanOrEqual(MIN_RECORDS);
    const run = await timed('copy', () => migrate(urls()));
    expect({ code: run.code, text: run.text }).toEqual({
      code: 0,
      text: expect.stringContaining('verified 1 collection(s)'),
    });
    expect(run.row).toEqual([
      String(records),
      String(records),
      String(records),
      '0',
      expect.stringMatching(/^[0-9a-f]{12}$/),
      'OK',
    ]);
  }, 120_000);

  it('a second run copies nothing', async () => {
    const run = await timed('second run', () => migrate(urls()));
    expect(run.code).toBe(0);
    expect(run.row.slice(0, 4)).toEqual([String(records), String(records), '0', String(records)]);
  }, 120_000);

  /** Rewrites the target's record at `offset` with `change` applied; returns its id. */
  const tamper = async (
    offset: number,
    change: (record: { document: string; embedding: number[] }) => void,
  ): Promise<string> => {
    const copied = await collectionAt(target.url);
    const [stored] = (
      await copied.get({ include: ['documents', 'embeddings', 'metadatas'], offset, limit: 1 })
    ).rows();
    const record = {
      document: stored.document as string,
      embedding: [...(stored.embedding as number[])],
    };
    change(record);
    await copied.upsert({
      ids: [stored.id],
      documents: [record.document],
      embeddings: [record.embedding],
      metadatas: [stored.metadata as Metadata],
    });
    return stored.id;
  };

  /** A run that re-copies exactly one record and verifies; returns the checksum it reports. */
  const expectOneRecopied = async (label: string): Promise<string> => {
    const repair = await timed(`repair run after ${label}`, () => migrate(urls()));
    expect(repair.code).toBe(0);
    expect(repair.row).toEqual([
      String(records),
      String(records),
      '1',
      String(records - 1),
      expect.stringMatching(/^[0-9a-f]{12}$/),
      'OK',
    ]);
    return repair.row[4];
  };

  it('detects a text changed on the target and re-copies just that record', async () => {
    const id = await tamper(1234, (record) => {
      record.document = `${record.document} (edited on the target)`;
    });
    const verify = await timed('verify-only after a text change', () =>
      migrate([...urls(), '--verify-only']),
    );
    expect(verify.code).toBe(1);
    expect(verify.row).toEqual([
      String(records),
      String(records),
      '0',
      '0',
      expect.stringMatching(/^[0-9a-f]{12}$/),
      `DIFF: 1 record(s) differ: ${id}`,
    ]);
    expect(await expectOneRecopied('a text change')).toBe(verify.row[4]);
  }, 120_000);

  it('re-copies a record with one vector component changed on the target, then verifies', async () => {
    const id = await tamper(4321, ({ embedding }) => {
      const largest = embedding.reduce(
        (best, value, i) => (Math.abs(value) > Math.abs(embedding[best]) ? i : best),
        0,
      );
      // Dozens of float32 ulps at this magnitude; nothing a query would notice.
      embedding[largest] += 1e-6;
    });
    const checksum = await expectOneRecopied('a vector change');
    const [repaired] = (
      await (await collectionAt(target.url)).get({ ids: [id], include: ['embeddings'] })
    ).embeddings;
    const [original] = (
      await (await collectionAt(source.url)).get({ ids: [id], include: ['embeddings'] })
    ).embeddings;
    // Independently of the tool's own check: back to the source's values, up to float32 rounding.
    const furthest = Math.max(...original.map((value, i) => Math.abs(value - repaired[i])));
    expect(furthest).toBeLessThan(1e-7);

    const final = await timed('npm run chroma:migrate -- --verify-only (child process)', () =>
      migrateProcess([...urls(), '--verify-only']),
    );
    expect({ code: final.code, row: final.row }).toEqual({
      code: 0,
      row: [String(records), String(records), '0', '0', checksum, 'OK'],
    });
  }, 120_000);
});
