import type { IncomingHttpHeaders, Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { App } from 'supertest/types';
import { IngestJobStore } from '../../src/ingest/ingest-job.store';
import { VectorStore } from '../../src/vector-store/vector-store.port';
import { INGEST_TEST_ENV, pollJob } from '../support/ingest-api';
import { createTestApp, sharedChromaUrl, type TestApp } from '../support/test-app';

const SUFFIX = Date.now().toString(36);
const MB = 1024 * 1024;
const FAILURE_LIMIT = 5;
const MAX_REQUEST_BYTES = 2 * MB;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** Body bytes the client had handed to its socket when the answer arrived. */
  writtenBefore: number;
  /** Body bytes the client meant to send. */
  total: number;
}

interface Upload {
  path: string;
  headers: Record<string, string>;
  /** The body in pieces, written one at a time (each after the previous one drained). */
  parts: Buffer[];
  /** Sent with Content-Length when true, else with Transfer-Encoding: chunked. */
  declareLength?: boolean;
}

/** The status line, headers and JSON body of a raw HTTP/1.1 response. */
function parseAnswer(raw: string): Pick<Answer, 'status' | 'headers' | 'body'> {
  const split = raw.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = raw.slice(0, split).split('\r\n');
  const headers: IncomingHttpHeaders = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const text = raw.slice(split + 4);
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/**
 * Streams a body over a raw connection, reading while writing, and stops writing as soon as an
 * answer arrives: the server may answer (and close) before the body is through. Node's HTTP
 * client reports the write error instead of such an answer, and supertest cannot stream.
 */
function stream(port: number, { path, headers, parts, declareLength }: Upload): Promise<Answer> {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const head = [
    `POST ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: close',
    declareLength ? `Content-Length: ${total}` : 'Transfer-Encoding: chunked',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ].join('\r\n');
  const frame = (part: Buffer): Buffer[] =>
    declareLength
      ? [part]
      : [Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')];
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let raw = '';
    let written = 0;
    let writtenBefore: number | undefined;
    socket.on('data', (chunk: Buffer) => {
      if (writtenBefore === undefined) {
        writtenBefore = written;
        // Like a client that reads while it sends: stop sending once answered.
        socket.end();
      }
      raw += chunk.toString();
    });
    // Writing into a connection the server closed after answering fails: that is the point.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (writtenBefore === undefined)
        reject(
          new Error(
            `no answer to POST ${path} after ${Date.now() - started} ms, ${written} bytes written`,
          ),
        );
      else resolve({ ...parseAnswer(raw), writtenBefore, total });
    });
    const writeFrom = (index: number): void => {
      if (writtenBefore !== undefined || socket.destroyed) return;
      if (index === parts.length) {
        if (!declareLength) socket.write('0\r\n\r\n');
        return;
      }
      written += parts[index].length;
      const drained = frame(parts[index])
        .map((piece) => socket.write(piece))
        .every(Boolean);
      const next = () => setImmediate(() => writeFrom(index + 1));
      if (drained) next();
      else socket.once('drain', next);
    };
    socket.write(`${head}\r\n\r\n`);
    writeFrom(0);
  });
}

/** `bytes` in 64 KiB pieces. */
const pieces = (bytes: number, fill = 0x61): Buffer[] => {
  const out: Buffer[] = [];
  for (let left = bytes; left > 0; left -= 64 * 1024) {
    out.push(Buffer.alloc(Math.min(left, 64 * 1024), fill));
  }
  return out;
};

/** A JSON ingest body of about `bytes`, its long text in 64 KiB pieces. */
const jsonIngest = (collection: string, bytes: number): Buffer[] => [
  Buffer.from(`{"collection":"${collection}","documents":[{"id":"big","text":"`),
  ...pieces(bytes),
  Buffer.from('"}]}'),
];

const BOUNDARY = '----request-bodies-e2e';

/** A multipart upload of `files` text files of `bytes` each, each in 64 KiB pieces. */
const multipart = (collection: string, files: number, bytes: number, fill?: number): Buffer[] => {
  const out: Buffer[] = [
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="collection"\r\n\r\n${collection}\r\n`,
    ),
  ];
  for (let i = 0; i < files; i += 1) {
    out.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="f${i}.txt"\r\nContent-Type: text/plain\r\n\r\n`,
      ),
      ...pieces(bytes, fill ?? 0x61 + (i % 26)),
      Buffer.from('\r\n'),
    );
  }
  out.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return out;
};
const MULTIPART = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
const JSON_TYPE = { 'content-type': 'application/json' };

describe('request bodies before authentication, and counted as they arrive (issue 17, findings 2, 4)', () => {
  let app: TestApp;
  let port: number;
  let writer: string;
  let store: VectorStore;

  beforeAll(async () => {
    app = await createTestApp({
      CHROMA_HOST: sharedChromaUrl(),
      ...INGEST_TEST_ENV,
      // Addresses come from X-Forwarded-For, so the test can speak from several.
      TRUST_PROXY: '1',
      AUTH_FAILURE_LIMIT: String(FAILURE_LIMIT),
      INGEST_MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES),
      INGEST_MAX_FILE_BYTES: String(MAX_REQUEST_BYTES),
      INGEST_UPLOAD_BUDGET_BYTES: String(3 * MB),
    });
    await app.app.listen(0, '127.0.0.1');
    port = ((app.app.getHttpServer() as Server).address() as AddressInfo).port;
    writer = app.bearer(['--sub', 'uploader', '--scope', 'rag/write']);
    store = app.app.get(VectorStore);
  });
  afterAll(() => app?.close());
  const http = () => app.app.getHttpServer() as App;

  /** The collection was never created and the caller has no job: nothing was stored. */
  const expectNothingStored = async (collection: string) => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const names = (await store.listCollections()).map((info) => info.name);
    expect(names.filter((name) => name.includes(collection))).toEqual([]);
    expect(await app.app.get(IngestJobStore).unfinished('uploader')).toEqual([]);
  };

  const from = (address: string, authorization?: string) => ({
    ...JSON_TYPE,
    'x-forwarded-for': address,
    ...(authorization ? { authorization } : {}),
  });

  describe('anonymous bodies (finding 2)', () => {
    it.each([
      ['no token', undefined, 'missing bearer token', 'Bearer realm="rag-api"'],
      [
        'a garbage token',
        'Bearer not.a.token',
        'malformed token',
        'Bearer realm="rag-api", error="invalid_token", error_description="malformed token"',
      ],
    ])(
      'answers a 9 MB JSON body with %s 401 at once, without reading it',
      async (_name, authorization, message, challenge) => {
        const answer = await stream(port, {
          path: '/ingest/jobs',
          headers: from('198.51.100.1', authorization),
          parts: jsonIngest(`anon-${SUFFIX}`, 9 * MB),
          declareLength: true,
        });
        expect(answer.status).toBe(401);
        expect(answer.body).toEqual({
          statusCode: 401,
          error: 'Unauthorized',
          message,
        });
        expect(answer.headers['www-authenticate']).toBe(challenge);
        expect(answer.headers.connection).toBe('close');
        // Before: the 401 came after the whole body was read and parsed (1.4 s). Now it comes
        // while the client is still writing: loopback socket buffers take only a few MB. (No
        // time bound here: the attack suite measures the stall; a timer only measures load.)
        expect(answer.writtenBefore).toBeLessThan(answer.total);
        await expectNothingStored(`anon-${SUFFIX}`);
      },
    );
  });

  describe('failed authentication per address (finding 2)', () => {
    const attacker = '203.0.113.7';
    const query = (address: string, authorization?: string) =>
      stream(port, {
        path: '/chroma/query',
        headers: from(address, authorization),
        parts: [Buffer.from(JSON.stringify({ collection: `none-${SUFFIX}`, query: 'anything' }))],
        declareLength: true,
      });

    it('answers 429 + Retry-After past AUTH_FAILURE_LIMIT, for that address only', async () => {
      for (let i = 0; i < FAILURE_LIMIT; i += 1) {
        expect((await query(attacker, `Bearer forged.${i}.token`)).status).toBe(401);
      }
      const refused = await query(attacker, 'Bearer forged.again.token');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused.body).toMatchObject({ statusCode: 429 });
      expect(String(refused.body.message)).toContain('failed authentications');
      expect((await query(attacker)).status).toBe(429);
      // A valid token from the same address (another client behind the same NAT) still passes.
      expect((await query(attacker, app.bearer())).status).toBe(404);

      // Other addresses are untouched: their own 401, and valid tokens get through (404: no
      // such collection, an answer only an authenticated caller gets).
      expect((await query('203.0.113.8', 'Bearer forged.token')).status).toBe(401);
      expect((await query('203.0.113.8', app.bearer())).status).toBe(404);
      // Public routes stay public for the throttled address.
      const live = await fetch(`http://127.0.0.1:${port}/health/live`, {
        headers: { 'x-forwarded-for': attacker },
      });
      expect(live.status).toBe(200);
    });

    it('does not count valid requests as failures', async () => {
      for (let i = 0; i < FAILURE_LIMIT * 2; i += 1) {
        expect((await query('203.0.113.9', app.bearer())).status).toBe(404);
      }
    });
  });

  describe('sizes counted as the bytes arrive (finding 4)', () => {
    it('refuses a chunked multipart upload over INGEST_MAX_REQUEST_BYTES with 413 as soon as it passes, storing nothing', async () => {
      const collection = `chunked-files-${SUFFIX}`;
      const answer = await stream(port, {
        path: '/ingest/jobs',
        headers: { ...MULTIPART, authorization: writer },
        // Each file is within INGEST_MAX_FILE_BYTES; together they are 2.5 times the request limit.
        parts: multipart(collection, 5, MB),
      });
      expect(answer.status).toBe(413);
      expect(answer.body).toMatchObject({
        statusCode: 413,
        message: `request body is larger than ${MAX_REQUEST_BYTES} bytes (INGEST_MAX_REQUEST_BYTES)`,
      });
      expect(answer.headers.connection).toBe('close');
      expect(answer.writtenBefore).toBeLessThan(answer.total);
      await expectNothingStored(collection);
    });

    it('refuses a chunked JSON body over BODY_LIMIT_BYTES with 413 as soon as it passes, storing nothing', async () => {
      const collection = `chunked-json-${SUFFIX}`;
      const answer = await stream(port, {
        path: '/ingest/jobs',
        headers: { ...JSON_TYPE, authorization: writer },
        parts: jsonIngest(collection, 16 * MB),
      });
      expect(answer.status).toBe(413);
      expect(answer.body).toMatchObject({
        statusCode: 413,
        message: 'request body is larger than 10000000 bytes (BODY_LIMIT_BYTES)',
      });
      expect(answer.writtenBefore).toBeLessThan(answer.total);
      await expectNothingStored(collection);
    });

    it('answers 503 + Retry-After once uploads in flight hold INGEST_UPLOAD_BUDGET_BYTES, and frees the budget after', async () => {
      const collection = `budget-${SUFFIX}`;
      const upload = (bytes: number, fill?: number) =>
        stream(port, {
          path: '/ingest/jobs',
          headers: { ...MULTIPART, authorization: writer },
          parts: multipart(collection, 1, bytes, fill),
        });
      // Binary files (refused as text), so whichever upload gets through leaves no long job.
      const answers = await Promise.all([upload(1.8 * MB, 0), upload(1.8 * MB, 0)]);
      const refused = answers.filter((answer) => answer.status === 503);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      expect(refused[0].headers['retry-after']).toBe('5');
      expect(String(refused[0].body.message)).toContain('INGEST_UPLOAD_BUDGET_BYTES');
      // Both answered: everything they held is given back.
      const after = await upload(32 * 1024);
      expect(after.status).toBe(202);
      await pollJob(http(), writer, String(after.body.id));
    });
  });

  describe('valid requests (findings 2, 4)', () => {
    it('accepts chunked JSON and chunked multipart uploads within the limits', async () => {
      const collection = `valid-${SUFFIX}`;
      const json = await stream(port, {
        path: '/ingest/jobs',
        headers: { ...JSON_TYPE, authorization: writer },
        parts: [
          Buffer.from(
            JSON.stringify({ collection, documents: [{ id: 'a', text: 'Chunked JSON works.' }] }),
          ),
        ],
      });
      expect(json.status).toBe(202);
      await pollJob(http(), writer, String(json.body.id));
      const files = await stream(port, {
        path: '/ingest/jobs',
        headers: { ...MULTIPART, authorization: writer },
        parts: multipart(collection, 2, 16 * 1024),
      });
      expect(files.status).toBe(202);
      const { job } = await pollJob(http(), writer, String(files.body.id));
      expect(job.state).toBe('succeeded');
    });
  });
});
