import { TestChromaServer } from '../support/chroma-server';

declare global {
  var __TEST_CHROMA__: TestChromaServer | undefined;
}

/** One real Chroma server for the whole e2e run; workers find it through TEST_CHROMA_URL. */
export default async function globalSetup(): Promise<void> {
  const server = await TestChromaServer.start();
  globalThis.__TEST_CHROMA__ = server;
  process.env.TEST_CHROMA_URL = server.url;
}
