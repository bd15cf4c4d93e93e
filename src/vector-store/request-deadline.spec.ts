import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpstreamTimeoutError } from '../common/domain-errors';
import { RequestDeadline } from './request-deadline';

describe('RequestDeadline', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((_, response) => setTimeout(() => response.end('late'), 300));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('is a signal fetch accepts, never aborted outside a call', async () => {
    const deadline = new RequestDeadline('the test server');
    expect(deadline.signal).toBeInstanceOf(AbortSignal);
    expect(await (await fetch(url, { signal: deadline.signal })).text()).toBe('late');
  });

  it("aborts the requests of a call whose deadline passed, as that call's timeout", async () => {
    const deadline = new RequestDeadline('the test server');
    await expect(
      deadline.run(50, () => fetch(url, { signal: deadline.signal }).then((r) => r.text())),
    ).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(
      await deadline.run(5000, () => fetch(url, { signal: deadline.signal }).then((r) => r.text())),
    ).toBe('late');
  });
});
