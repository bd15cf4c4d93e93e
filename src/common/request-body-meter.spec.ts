import express, { type Request, type Response } from 'express';
import { request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ByteBudget, meterRequestBody, type BodyLimits } from './request-body-meter';

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  /** Bytes the client had written when the answer arrived. */
  writtenBefore: number;
}

describe('meterRequestBody', () => {
  let server: Server;
  let port: number;
  let limits: BodyLimits;
  const received: number[] = [];
  const refusals: string[] = [];

  beforeAll(async () => {
    const app = express();
    app.post('/', (request: Request, response: Response) => {
      const meter = meterRequestBody(request, response, limits, (error) =>
        refusals.push(error.message),
      );
      let bytes = 0;
      request.on('data', (chunk: Buffer) => (bytes += chunk.length));
      request.on('end', () => {
        if (meter.refused) return;
        received.push(bytes);
        response.json({ bytes });
      });
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    received.length = 0;
    refusals.length = 0;
  });

  /** Sends `chunks` of 1 KiB (chunked unless `length` is given), stopping once answered. */
  const send = (chunks: number, headers: Record<string, string> = {}) =>
    new Promise<Answer>((resolve, reject) => {
      let written = 0;
      let answered = false;
      const client = httpRequest({ port, method: 'POST', headers }, (response) => {
        answered = true;
        const writtenBefore = written;
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body,
            writtenBefore,
          }),
        );
      });
      client.on('error', (error) => (answered ? undefined : reject(error)));
      const writeNext = (left: number): void => {
        if (answered || left === 0) {
          if (!answered) client.end();
          return;
        }
        written += 1024;
        client.write(Buffer.alloc(1024, 0x61), () => setTimeout(() => writeNext(left - 1), 2));
      };
      writeNext(chunks);
    });

  it('answers 413 naming the setting as soon as a chunked body passes the limit', async () => {
    limits = { maxBytes: 4096, setting: 'TEST_MAX_BYTES' };
    const answer = await send(100);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({
      statusCode: 413,
      message: 'request body is larger than 4096 bytes (TEST_MAX_BYTES)',
    });
    expect(answer.headers.connection).toBe('close');
    expect(answer.writtenBefore).toBeLessThan(100 * 1024);
    expect(refusals).toHaveLength(1);
    expect(received).toEqual([]);
  });

  it('refuses a declared Content-Length over the limit before reading any of it', async () => {
    limits = { maxBytes: 4096, setting: 'TEST_MAX_BYTES' };
    const answer = await send(100, { 'content-length': String(100 * 1024) });
    expect(answer.status).toBe(413);
    expect(answer.writtenBefore).toBeLessThan(100 * 1024);
  });

  it('lets a body within the limit through untouched', async () => {
    limits = { maxBytes: 4096, setting: 'TEST_MAX_BYTES' };
    const answer = await send(4);
    expect([answer.status, JSON.parse(answer.body)]).toEqual([200, { bytes: 4096 }]);
    expect(refusals).toEqual([]);
  });

  it('answers 503 + Retry-After once the shared budget is spent, and gives bytes back when answered', async () => {
    const budget = new ByteBudget(6 * 1024);
    limits = { maxBytes: 8192, setting: 'TEST_MAX_BYTES', budget, budgetSetting: 'TEST_BUDGET' };
    const [first, second] = await Promise.all([send(8), send(8)]);
    const statuses = [first.status, second.status].sort();
    expect(statuses[1]).toBe(503);
    const refused = first.status === 503 ? first : second;
    expect(refused.headers['retry-after']).toBe('5');
    expect(JSON.parse(refused.body).message).toContain('(TEST_BUDGET)');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(budget.heldBytes).toBe(0);
  });
});
