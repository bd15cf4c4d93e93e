import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestChromaServer } from '../../test/support/chroma-server';
import { ApiProcess } from '../../test/support/deploy-api-process';
import { JwksServer } from '../../test/support/jwks-server';
import {
  accessClaims,
  CLIENT_ID,
  createTestKey,
  POOL_ID,
  REGION,
  sign,
  type TestKey,
} from '../../test/support/tokens';

/** This checkout; the harness's own tools (Chroma runtime, word vectors) come from here. */
export const HARNESS_ROOT = join(__dirname, '..', '..');
const MODELS_DIR = join(HARNESS_ROOT, 'node_modules', '.cache', 'rag-test-models');

/**
 * The API's settings for the attacks: its own defaults except the request deadline, cut from
 * 30 s to 5 s (and the extraction timeout from 20 s to 3.5 s, in the defaults' proportion) so
 * finding 6 shows in seconds, and no metrics listener (a fixed port).
 */
export const ATTACK_ENV: Record<string, string> = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  METRICS_ENABLED: 'false',
  REQUEST_TIMEOUT_MS: '5000',
  INGEST_EXTRACT_TIMEOUT_MS: '3500',
};

/**
 * A real Chroma server, a real JWKS endpoint, and the built API of `root` as its own process,
 * which can be started afresh between attacks.
 */
export class AttackStack {
  private current?: ApiProcess;

  private constructor(
    readonly chroma: TestChromaServer,
    private readonly jwks: JwksServer,
    private readonly key: TestKey,
    private readonly apiEnv: Record<string, string>,
    private readonly root: string,
    private readonly dataDir: string,
  ) {}

  /**
   * `root` is any checkout or build of the API holding `dist/main.js` and its node_modules (an
   * older build, say); the harness's own checkout by default, built first when stale. The API is
   * started once here, so a build that cannot start fails at once.
   */
  static async start(root = HARNESS_ROOT, env: Record<string, string> = {}): Promise<AttackStack> {
    const chroma = await TestChromaServer.start();
    const jwks = await JwksServer.start();
    const dataDir = mkdtempSync(join(tmpdir(), 'rag-attacks-'));
    const key = await createTestKey('attack-key');
    jwks.keys = [key.jwk];
    const stack = new AttackStack(
      chroma,
      jwks,
      key,
      {
        ...ATTACK_ENV,
        ...env,
        CHROMA_HOST: chroma.url,
        DATA_DIR: dataDir,
        MODELS_DIR,
        COGNITO_REGION: REGION,
        COGNITO_USER_POOL_ID: POOL_ID,
        COGNITO_CLIENT_IDS: CLIENT_ID,
        COGNITO_JWKS_URI: jwks.uri,
      },
      root,
      dataDir,
    );
    try {
      await stack.freshApi();
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  /** The API process started last. */
  get api(): ApiProcess {
    if (!this.current) throw new Error('the API is not started');
    return this.current;
  }

  /** Stops the API and starts it again on the same data and Chroma. */
  async freshApi(): Promise<ApiProcess> {
    await this.current?.stop();
    this.current = undefined;
    this.current = await ApiProcess.start(this.apiEnv, this.root);
    return this.current;
  }

  /** An `Authorization` value: a real RS256 admin token for `sub` (throttles count per sub). */
  async bearer(sub: string): Promise<string> {
    return `Bearer ${await sign(this.key, accessClaims({ sub, scope: 'rag/admin' }))}`;
  }

  async stop(): Promise<void> {
    try {
      await this.current?.stop();
    } finally {
      await this.jwks.close();
      await this.chroma.destroy();
      rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}
