import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { apiClient, listenOnLoopback } from './support/openapi-server';
import { createTestApp, sharedChromaUrl, type TestApp } from './support/test-app';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const COLLECTION = `swagger-ui-${Date.now().toString(36)}`;
/** Without these, Chromium's background services try the closed network and hang the launch. */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// In CI the browser is installed by .ci/run, so a missing one must fail rather than skip.
const runs = existsSync(CHROMIUM) || process.env.CI !== undefined;
const describeInBrowser = runs ? describe : describe.skip;
const title = runs
  ? 'Swagger UI in Chromium'
  : `Swagger UI in Chromium (SKIPPED: ${CHROMIUM} is absent; apt-get install chromium)`;

describeInBrowser(title, () => {
  let testApp: TestApp;
  let baseUrl: string;
  let userDataDir: string;
  let browser: BrowserContext;

  beforeAll(async () => {
    testApp = await createTestApp({ CHROMA_HOST: sharedChromaUrl() });
    baseUrl = await listenOnLoopback(testApp);
    const seeded = await apiClient(baseUrl, testApp.bearer()).POST('/chroma/update', {
      body: {
        collection: COLLECTION,
        documents: [{ id: 'kb/laptops', text: 'Every new engineer receives a laptop on day one.' }],
      },
    });
    expect(seeded.response.status).toBe(200);
    userDataDir = mkdtempSync(join(tmpdir(), 'chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await testApp?.close();
  });

  /** A page of Swagger UI, authorized with a local admin token. */
  async function authorizedPage(): Promise<Page> {
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${baseUrl}/docs`);

    await page.getByRole('button', { name: 'Authorize' }).first().click();
    const dialog = page.locator('.modal-ux');
    await dialog.locator('input').fill(testApp.bearer().replace(/^Bearer /, ''));
    // Swagger UI labels its dialog buttons for screen readers: "Apply credentials", "Close".
    await dialog.locator('button.modal-btn.authorize').click();
    await dialog.locator('button.btn-done').click();
    return page;
  }

  it('authorizes with a local token and executes POST /chroma/query', async () => {
    const page = await authorizedPage();

    const operation = page.locator('#operations-documents-queryDocuments');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation
      .locator('textarea.body-param__text')
      .fill(JSON.stringify({ query: 'When do engineers get a laptop?', collection: COLLECTION }));
    await operation.getByRole('button', { name: 'Execute' }).click();

    // The first body row of the live table is the response Execute received.
    const live = operation.locator('.live-responses-table tbody tr.response').first();
    await live.waitFor();
    expect((await live.locator('.response-col_status').innerText()).trim()).toBe('200');
    const body = await live.locator('.response-col_description pre').first().innerText();
    expect(JSON.parse(body)).toMatchObject({ results: [{ document_id: 'kb/laptops' }] });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'swagger-ui-query.png'), fullPage: true });
  });

  it('offers a file picker for POST /ingest/jobs and uploads the chosen file', async () => {
    const page = await authorizedPage();
    const operation = page.locator('#operations-ingest-createIngestJob');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();

    // The multipart form is the body Swagger UI offers first, with a file input, not a textarea.
    expect(await operation.locator('.body-param-content-type select').inputValue()).toBe(
      'multipart/form-data',
    );
    expect(await operation.locator('textarea.body-param__text').count()).toBe(0);
    // `files` needs at least one item: Swagger UI shows its first file input at once.
    const picker = operation.locator('tr[data-property-name="files"] input[type="file"]').first();
    await picker.waitFor();
    await picker.setInputFiles({
      name: 'vpn.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from('# VPN\n\nConnect to the VPN before opening internal dashboards.\n'),
    });
    await operation
      .locator('tr[data-property-name="collection"] input[type="text"]')
      .fill(COLLECTION);
    await operation.getByRole('button', { name: 'Execute' }).click();

    const live = operation.locator('.live-responses-table tbody tr.response').first();
    await live.waitFor();
    expect((await live.locator('.response-col_status').innerText()).trim()).toBe('202');
    const body = await live.locator('.response-col_description pre').first().innerText();
    expect(JSON.parse(body)).toMatchObject({
      collection: COLLECTION,
      files: { total: 1, failed: 0 },
    });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'swagger-ui-ingest.png'), fullPage: true });
  });
});
