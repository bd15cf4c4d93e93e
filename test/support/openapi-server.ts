import createClient, { type Client } from 'openapi-fetch';
import type { AddressInfo } from 'node:net';
import type { paths } from './openapi-schema';
import type { TestApp } from './test-app';

/** Starts the test app on a free loopback port and answers its base URL. */
export async function listenOnLoopback(testApp: TestApp): Promise<string> {
  await testApp.app.listen(0, '127.0.0.1');
  const { port } = testApp.app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** The typed client generated from openapi.json, as the API's users build it. */
export const apiClient = (baseUrl: string, authorization?: string): Client<paths> =>
  createClient<paths>({
    baseUrl,
    headers: authorization ? { Authorization: authorization } : {},
  });
