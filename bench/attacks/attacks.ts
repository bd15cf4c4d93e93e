import { docxZipBomb, headingsMarkdown, manyPagePdf, pdfFlateBomb } from './payloads';
import {
  chunkedUpload,
  MB,
  median,
  pool,
  send,
  slowClient,
  upload,
  type AttackContext,
} from './requests';

export interface Attack {
  /** The finding of issue 17 it reproduces. */
  finding: string;
  name: string;
  /** Hostile input: any 5xx answer to it is a failure. */
  badInput: boolean;
  /** Unmeasured set-up (seeding documents); the store fingerprint is taken after it. */
  prepare?(ctx: AttackContext): Promise<void>;
  /** Sends the attack; resolves to extra figures for the report. */
  run(ctx: AttackContext): Promise<Record<string, number>>;
}

/** Sizes, scaled from the so that each attack ends within about 30 s on an old build. */
export const SIZES = {
  /** Issue: 123,750 lines (1 MB, 541 s); 16k lines took 5.8 s there (3 to 60 s here). */
  headingLines: 16_000,
  /** Issue: 160 bodies of 9 MB at concurrency 16. */
  anonymousBodies: 32,
  anonymousBodyMb: 9,
  concurrency: 16,
  /** Issue: 1,500 requests, no 429. */
  badTokens: 300,
  /** Issue: 1 GiB of zeros in word/document.xml; a 1 GB flate stream in a PDF. */
  docxUnpackedMiB: 1024,
  pdfUnpackedMiB: 512,
  /**
   * Issue: 25 files of 19 MB, chunked, accepted over INGEST_MAX_REQUEST_BYTES (100 MB); here
   * about 1 GB, what an unbounded upload must hold to cross the suite's RSS bound.
   */
  chunkedFiles: 56,
  chunkedFileMb: 19,
  /** Issue: 27 documents of 960 one-KB headings each, queries at concurrency 32. */
  hugeChunkDocuments: 8,
  hugeChunkQueries: 64,
  /** Issue: 20,000 pages, 503 at the 30 s deadline; here past the 5 s deadline of ATTACK_ENV. */
  pdfPages: 6000,
  /** Issue: 3,000 connections, one byte every 10 s; below SERVER_MAX_CONNECTIONS here. */
  slowConnections: 300,
  slowSeconds: 14,
  /** Issue: 31 `$in` conditions of 100 values each. */
  filterConditions: 31,
  filterValues: 100,
  filterQueries: 120,
};

export const ATTACKS: Attack[] = [
  {
    finding: '1',
    name: `markdown of ${SIZES.headingLines} '# hhhhh' lines`,
    badInput: true,
    async run(ctx) {
      const text = headingsMarkdown(SIZES.headingLines);
      await send(ctx, {
        path: '/chroma/update',
        authorization: await ctx.bearer('attack-headings'),
        json: { collection: 'attack-headings', documents: [{ id: 'headings', text }] },
        write: true,
      });
      return { documentKb: Math.round(text.length / 1000) };
    },
  },
  {
    finding: '2',
    name: `${SIZES.anonymousBodies} anonymous ${SIZES.anonymousBodyMb} MB JSON bodies, c=${SIZES.concurrency}`,
    badInput: true,
    async run(ctx) {
      const body = JSON.stringify({
        collection: 'attack-anonymous',
        documents: [{ id: 'big', text: 'a'.repeat(SIZES.anonymousBodyMb * MB) }],
      });
      const outcomes = await pool(SIZES.anonymousBodies, SIZES.concurrency, () =>
        send(ctx, {
          path: '/chroma/update',
          body,
          contentType: 'application/json',
          write: true,
        }),
      );
      return { medianMs: median(outcomes.map((o) => o.ms)) };
    },
  },
  {
    finding: '2',
    name: `${SIZES.badTokens} bad-token requests, c=${SIZES.concurrency}`,
    badInput: true,
    async run(ctx) {
      const forged = `Bearer ${(await ctx.bearer('attack-forged')).slice(7, -4)}AAAA`;
      const outcomes = await pool(SIZES.badTokens, SIZES.concurrency, () =>
        send(ctx, {
          path: '/chroma/update',
          authorization: forged,
          json: { collection: 'attack-forged', documents: [{ id: 'forged', text: 'Forged.' }] },
          write: true,
        }),
      );
      return { throttled: outcomes.filter((o) => o.status === 429).length };
    },
  },
  {
    finding: '3',
    name: `DOCX zip bomb (${SIZES.docxUnpackedMiB} MiB document.xml)`,
    badInput: true,
    async run(ctx) {
      const bomb = docxZipBomb(SIZES.docxUnpackedMiB);
      const type = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
      await send(ctx, {
        path: '/ingest/jobs',
        authorization: await ctx.bearer('attack-docx'),
        body: upload('attack-docx', 'bomb.docx', type, bomb),
        write: true,
      });
      return { uploadKb: Math.round(bomb.length / 1000) };
    },
  },
  {
    finding: '3',
    name: `PDF flate bomb (${SIZES.pdfUnpackedMiB} MiB stream)`,
    badInput: true,
    async run(ctx) {
      const bomb = pdfFlateBomb(SIZES.pdfUnpackedMiB);
      await send(ctx, {
        path: '/ingest/jobs',
        authorization: await ctx.bearer('attack-pdf-bomb'),
        body: upload('attack-pdf-bomb', 'bomb.pdf', 'application/pdf', bomb),
        write: true,
      });
      return { uploadKb: Math.round(bomb.length / 1000) };
    },
  },
  {
    finding: '4',
    name: `chunked upload of ${SIZES.chunkedFiles} × ${SIZES.chunkedFileMb} MB files`,
    badInput: true,
    async run(ctx) {
      await chunkedUpload(
        ctx,
        await ctx.bearer('attack-chunked'),
        SIZES.chunkedFiles,
        SIZES.chunkedFileMb,
      );
      return { sentMb: SIZES.chunkedFiles * SIZES.chunkedFileMb };
    },
  },
  {
    finding: '5',
    name: `${SIZES.hugeChunkQueries} queries c=${SIZES.concurrency} after ${SIZES.hugeChunkDocuments} docs of 1 KB headings`,
    badInput: false,
    async prepare(ctx) {
      const authorization = await ctx.bearer('attack-huge-writer');
      for (let d = 0; d < SIZES.hugeChunkDocuments; d++) {
        const line = (i: number) =>
          `# Section ${d}.${i} about quarterly planning ${'budget forecast review '.repeat(40)}`;
        const text = Array.from({ length: 960 }, (_, i) => line(i)).join('\n');
        // An unfixed build answers 503 (finding 1) and stores the document all the same.
        await send(ctx, {
          path: '/chroma/update',
          authorization,
          json: { collection: 'attack-huge', documents: [{ id: `huge-${d}`, text }] },
          write: true,
        });
      }
    },
    async run(ctx) {
      const authorization = await ctx.bearer('attack-huge-reader');
      const started = Date.now();
      const outcomes = await pool(SIZES.hugeChunkQueries, SIZES.concurrency, () =>
        send(ctx, {
          path: '/chroma/query',
          authorization,
          json: { collection: 'attack-huge', query: 'quarterly budget forecast' },
          write: false,
        }),
      );
      return {
        reqPerS: Number((outcomes.length / ((Date.now() - started) / 1000)).toFixed(1)),
        medianMs: median(outcomes.map((o) => o.ms)),
        responseKb: Math.round(Math.max(...outcomes.map((o) => o.bytes)) / 1000),
      };
    },
  },
  {
    finding: '6',
    name: `PDF of ${SIZES.pdfPages} pages past the deadline`,
    badInput: true,
    async run(ctx) {
      const file = manyPagePdf(SIZES.pdfPages);
      await send(ctx, {
        path: '/ingest/jobs',
        authorization: await ctx.bearer('attack-pages'),
        body: upload('attack-pages', 'pages.pdf', 'application/pdf', file),
        write: true,
      });
      return { uploadKb: Math.round(file.length / 1000) };
    },
  },
  {
    finding: '11',
    name: `${SIZES.slowConnections} slow-loris connections for ${SIZES.slowSeconds} s`,
    badInput: true,
    async run(ctx) {
      const port = Number(new URL(ctx.url).port);
      const started = Date.now();
      const clients = await Promise.all(
        Array.from({ length: SIZES.slowConnections }, () =>
          slowClient(port, SIZES.slowSeconds * 1000),
        ),
      );
      for (const { closedByServer, got } of clients) {
        const status = closedByServer ? Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 0) : 0;
        ctx.record({ status, ms: Date.now() - started, bytes: got.length, write: false });
      }
      return { stillOpen: clients.filter((c) => !c.closedByServer).length };
    },
  },
  {
    finding: '12',
    name: `${SIZES.filterQueries} queries, ${SIZES.filterConditions} $in of ${SIZES.filterValues} values, c=8`,
    badInput: true,
    async prepare(ctx) {
      await send(ctx, {
        path: '/chroma/update',
        authorization: await ctx.bearer('attack-filter-writer'),
        json: {
          collection: 'attack-filter',
          documents: [
            { id: 'report', text: 'The quarterly report.', metadata: { file_type: 'pdf' } },
          ],
        },
        write: true,
      });
    },
    async run(ctx) {
      const authorization = await ctx.bearer('attack-filter');
      const values = Array.from({ length: SIZES.filterValues }, (_, i) => `type${i}`);
      const filter = {
        $and: Array.from({ length: SIZES.filterConditions }, () => ({
          file_type: { $in: values },
        })),
      };
      const started = Date.now();
      const outcomes = await pool(SIZES.filterQueries, 8, () =>
        send(ctx, {
          path: '/chroma/query',
          authorization,
          json: { collection: 'attack-filter', query: 'quarterly report', filter },
          write: false,
        }),
      );
      return {
        reqPerS: Number((outcomes.length / ((Date.now() - started) / 1000)).toFixed(1)),
        medianMs: median(outcomes.map((o) => o.ms)),
      };
    },
  },
];
