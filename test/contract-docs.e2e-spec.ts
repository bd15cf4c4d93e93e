import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listenOnLoopback } from './support/openapi-server';
import { createTestApp, sharedChromaUrl, type TestApp } from './support/test-app';

const run = promisify(execFile);
const GUIDE = join(__dirname, '..', 'docs', 'client.md');
const COLLECTION = `guide-${Date.now().toString(36)}`;

/** The bash blocks marked `<!-- tested -->`, with the answer their `# →` line promises. */
const testedBlocks = () =>
  [...readFileSync(GUIDE, 'utf8').matchAll(/<!-- tested -->\n+```bash\n([\s\S]*?)```/g)]
    // The guide's collection is shared by readers; the test uses one of its own.
    .map(([, block]) => block.replace(/("collection": ?)"docs"/g, `$1"${COLLECTION}"`))
    .map((script) => ({
      script,
      expected: [...script.matchAll(/^# → (.*)$/gm)].map(([, json]) => JSON.parse(json) as unknown),
    }));

describe('the curl examples of docs/client.md', () => {
  let testApp: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    testApp = await createTestApp({ CHROMA_HOST: sharedChromaUrl() });
    baseUrl = await listenOnLoopback(testApp);
  });

  afterAll(() => testApp?.close());

  it('has tested blocks, each promising an answer', () => {
    const blocks = testedBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    expect(blocks.every((block) => block.expected.length === 1)).toBe(true);
  });

  // In order: the guide's blocks build on each other (upsert, then query).
  it('run against a real server and answer what they promise', async () => {
    const token = testApp
      .bearer(['--scope', 'rag/write', '--collections', COLLECTION])
      .replace(/^Bearer /, '');
    for (const { script, expected } of testedBlocks()) {
      // Asynchronously: the server answering curl runs in this very process.
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], {
        env: { ...process.env, RAG_URL: baseUrl, RAG_TOKEN: token },
        timeout: 30_000,
      });
      expect([script, JSON.parse(stdout)]).toMatchObject([script, expected[0]]);
    }
  });
});
