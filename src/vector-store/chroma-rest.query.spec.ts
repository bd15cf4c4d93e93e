import {
  ChromaClientError,
  ChromaConnectionError,
  ChromaNotFoundError,
  ChromaServerError,
  ChromaValueError,
  type Collection,
} from 'chromadb';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ChromaRestQuery, packEmbedding } from './chroma-rest.query';

const collection = { tenant: 't 1', database: 'db', id: 'c-1', name: 'kb 1' } as Collection;
const SOCKETS = { max: 4, idleMs: 5_000 };
const query = {
  embedding: [0.5, 0.25],
  nResults: 3,
  where: { lang: { $eq: 'en' } },
  fields: 'all' as const,
};

describe('ChromaRestQuery', () => {
  let server: Server;
  let url: URL;
  let seen: { request: IncomingMessage; body: string }[];
  let answer: { status: number; body: string };

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ request, body });
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => (seen = []));

  const client = () =>
    new ChromaRestQuery({ url, headers: { Authorization: 'Bearer secret' } }, SOCKETS);

  it('posts the query to the collection by id, with the auth header, and returns the rows', async () => {
    const rows = {
      ids: [['a']],
      documents: [['text']],
      metadatas: [[{ k: 1 }]],
      distances: [[0.1]],
    };
    answer = { status: 200, body: JSON.stringify(rows) };
    const rest = client();
    await expect(rest.query(collection, query, new AbortController().signal)).resolves.toEqual(
      rows,
    );
    rest.close();
    const [{ request, body }] = seen;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/api/v2/tenants/t%201/databases/db/collections/c-1/query');
    expect(request.headers.authorization).toBe('Bearer secret');
    expect(JSON.parse(body)).toEqual({
      query_embeddings: [[0.5, 0.25]],
      n_results: 3,
      where: { lang: { $eq: 'en' } },
      include: ['documents', 'metadatas', 'distances'],
    });
  });

  it('asks a query for distances only', async () => {
    answer = { status: 200, body: JSON.stringify({ ids: [[]], distances: [[]] }) };
    const rest = client();
    await rest.query(collection, { ...query, fields: 'distances' }, new AbortController().signal);
    rest.close();
    expect(JSON.parse(seen[0].body)).toMatchObject({ include: ['distances'] });
  });

  it('reads the collection by name with a bodiless GET and answers its metadata', async () => {
    answer = { status: 200, body: JSON.stringify({ id: 'c-1', metadata: { write_token: 'w' } }) };
    const rest = client();
    await expect(rest.metadata(collection, new AbortController().signal)).resolves.toEqual({
      write_token: 'w',
    });
    answer = { status: 200, body: JSON.stringify({ id: 'c-1', metadata: null }) };
    await expect(rest.metadata(collection, new AbortController().signal)).resolves.toBeNull();
    rest.close();
    const [{ request, body }] = seen;
    expect(request.method).toBe('GET');
    expect(request.url).toBe('/api/v2/tenants/t%201/databases/db/collections/kb%201');
    expect(request.headers.authorization).toBe('Bearer secret');
    expect(request.headers['content-type']).toBeUndefined();
    expect(body).toBe('');
  });

  it.each([
    [400, ChromaClientError, /with status: bad where/],
    [404, ChromaNotFoundError, /could not be found/],
    [500, ChromaServerError, /500: bad where/],
  ])('turns status %i into the client error class', async (status, type, message) => {
    answer = { status, body: JSON.stringify({ error: 'InvalidArgument', message: 'bad where' }) };
    const rest = client();
    const failure = rest.query(collection, query, new AbortController().signal);
    await expect(failure).rejects.toBeInstanceOf(type);
    await expect(failure).rejects.toThrow(message);
    rest.close();
  });

  it('posts an upsert with its vectors as little-endian float32 in base64', async () => {
    answer = { status: 200, body: '{}' };
    const rest = client();
    const batch = {
      ids: ['a', 'b'],
      embeddings: [
        [0.5, -1],
        [0.1, 3],
      ],
      documents: ['one', 'two'],
      metadatas: [{ k: 1 }, null],
    };
    await rest.upsert(collection, batch, new AbortController().signal);
    rest.close();
    expect(seen[0].request.url).toBe('/api/v2/tenants/t%201/databases/db/collections/c-1/upsert');
    const sent = JSON.parse(seen[0].body) as { embeddings: string[] };
    expect(sent).toEqual({ ...batch, embeddings: sent.embeddings });
    const decoded = sent.embeddings.map((packed) => {
      const bytes = Buffer.from(packed, 'base64');
      return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    });
    expect(decoded).toEqual([
      [0.5, -1],
      [Math.fround(0.1), 3],
    ]);
  });

  it('packs a vector exactly as the chromadb client does', () => {
    const vector = [0.123456789, -2.5, 1e-7, 42];
    const bytes = new Uint8Array(new Float32Array(vector).buffer);
    const clientWay = btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(''));
    expect(packEmbedding(vector)).toBe(clientWay);
  });

  it('refuses an upsert with duplicate or empty ids before sending it', async () => {
    const rest = client();
    const batch = (ids: string[]) => ({
      ids,
      embeddings: ids.map(() => [1]),
      documents: ids.map(() => 'text'),
      metadatas: ids.map(() => null),
    });
    const signal = new AbortController().signal;
    await expect(rest.upsert(collection, batch(['a', 'a']), signal)).rejects.toThrow(
      ChromaValueError,
    );
    await expect(rest.upsert(collection, batch(['']), signal)).rejects.toThrow(ChromaValueError);
    rest.close();
    expect(seen).toHaveLength(0);
  });

  it('reports an unreachable server as a connection error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const rest = new ChromaRestQuery(
      { url: new URL(`http://127.0.0.1:${port}`), headers: {} },
      SOCKETS,
    );
    await expect(
      rest.query(collection, query, new AbortController().signal),
    ).rejects.toBeInstanceOf(ChromaConnectionError);
    rest.close();
  });

  it('opens at most max sockets and closes them once idle for idleMs', async () => {
    answer = {
      status: 200,
      body: JSON.stringify({ ids: [[]], documents: [[]], metadatas: [[]], distances: [[]] }),
    };
    const open = new Set<unknown>();
    let peak = 0;
    const onConnection = (socket: Socket) => {
      open.add(socket);
      peak = Math.max(peak, open.size);
      socket.on('close', () => open.delete(socket));
    };
    server.on('connection', onConnection);
    const rest = new ChromaRestQuery({ url, headers: {} }, { max: 2, idleMs: 200 });
    const signal = new AbortController().signal;
    await Promise.all(Array.from({ length: 10 }, () => rest.query(collection, query, signal)));
    expect(peak).toBe(2);
    expect(open.size).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(open.size).toBe(0);
    server.off('connection', onConnection);
    rest.close();
  });

  it('stops when its signal aborts', async () => {
    const abort = new AbortController();
    abort.abort(new Error('deadline'));
    const rest = client();
    await expect(rest.query(collection, query, abort.signal)).rejects.toBeInstanceOf(
      ChromaConnectionError,
    );
    rest.close();
  });
});
