import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GLOVE_FILE_NAME } from '../src/embeddings/glove-format';
import { CHROMA_RELEASE } from './support/chroma-release';
import { ensureBuilt } from './support/deploy-api-process';
import {
  commandWords,
  envOf,
  filesUnder,
  findSecrets,
  healthcheckOf,
  instructionsOf,
  parseDockerfile,
  readRepoFile,
  readYaml,
  REPO_ROOT,
  type DockerStage,
} from './support/deploy-files';
import { manifestErrors, type ManifestKind } from './support/deploy-schemas';

/* eslint-disable @typescript-eslint/no-explicit-any -- parsed YAML is walked structurally */
type Yaml = Record<string, any>;

const compose = readYaml<Yaml>('docker/docker-compose.yml');
const api = readYaml<Yaml>('copilot/api/manifest.yml');
const chroma = readYaml<Yaml>('copilot/chroma/manifest.yml');
const reindex = readYaml<Yaml>('copilot/reindex/manifest.yml');
const pipeline = readYaml<Yaml>('copilot/pipelines/rag-api-main/manifest.yml');
const buildspec = readYaml<Yaml>('copilot/pipelines/rag-api-main/buildspec.yml');
const storageAddon = readYaml<Yaml>('copilot/environments/addons/chroma-storage.yml');
const stages = parseDockerfile(readRepoFile('docker/Dockerfile'));
const runtime = stages[stages.length - 1];

/** `${COPILOT_APPLICATION_NAME}-${COPILOT_ENVIRONMENT_NAME}-X` in manifests is `${App}-${Env}-X` in addons. */
const exportSuffix = (name: string): string =>
  name.replace(/^\$\{COPILOT_APPLICATION_NAME\}-\$\{COPILOT_ENVIRONMENT_NAME\}-/, '');
/** An addon template's exports by their name after `${App}-${Env}-`, with their values. */
const addonExports = (template: Yaml): Record<string, unknown> =>
  Object.fromEntries(
    Object.values<Yaml>(template.Outputs ?? {})
      .filter((output) => output.Export)
      .map((output) => [output.Export.Name['Fn::Sub'].replace('${App}-${Env}-', ''), output.Value]),
  );
const fromCfnNames = (groups: unknown[]): string[] =>
  groups.map((group) => exportSuffix((group as { from_cfn: string }).from_cfn));
const resourcesOfType = (template: Yaml, type: string): [string, Yaml][] =>
  Object.entries<Yaml>(template.Resources).filter(([, resource]) => resource.Type === type);
const ref = (name: string) => ({ Ref: name });

describe('deployment files: parsing and schemas', () => {
  const yamlFiles = [...filesUnder('copilot'), 'docker/docker-compose.yml'].filter((path) =>
    /\.ya?ml$/.test(path),
  );

  it.each(yamlFiles)('%s parses as YAML without warnings', (path) => {
    expect(() => readYaml(path)).not.toThrow();
  });

  const manifests: [string, ManifestKind][] = [
    ['copilot/api/manifest.yml', 'Load Balanced Web Service'],
    ['copilot/chroma/manifest.yml', 'Backend Service'],
    ['copilot/reindex/manifest.yml', 'Scheduled Job'],
    ['copilot/environments/staging/manifest.yml', 'Environment'],
    ['copilot/environments/prod/manifest.yml', 'Environment'],
    ['copilot/pipelines/rag-api-main/manifest.yml', 'Pipeline'],
  ];

  it.each(manifests)('%s is a valid %s manifest', (path, kind) => {
    const manifest = readYaml(path);
    expect(manifestErrors(kind, manifest)).toEqual([]);
    if (kind !== 'Pipeline') expect(manifest.type).toBe(kind);
  });

  it('the manifest schemas reject what Copilot would reject', () => {
    expect(
      manifestErrors('Backend Service', { ...chroma, deployment: { rolling: 'blue' } }),
    ).not.toEqual([]);
    expect(
      manifestErrors('Load Balanced Web Service', { ...api, secrets: { KEY: 'plain' } }),
    ).not.toEqual([]);
    expect(manifestErrors('Backend Service', { ...chroma, cout: 1 })).not.toEqual([]);
  });

  it('every addon template declares the parameters Copilot passes', () => {
    for (const path of filesUnder('copilot').filter((p) =>
      /\/addons\/(?!addons\.parameters)/.test(p),
    )) {
      const template = readYaml<Yaml>(path);
      const required = path.startsWith('copilot/environments/')
        ? ['App', 'Env']
        : ['App', 'Env', 'Name'];
      expect(Object.keys(template.Parameters)).toEqual(expect.arrayContaining(required));
      expect(Object.keys(template.Resources).length).toBeGreaterThan(0);
      const extra = Object.keys(template.Parameters).filter((name) => !required.includes(name));
      const parametersFile = join(path, '..', 'addons.parameters.yml');
      const provided =
        extra.length > 0 ? Object.keys(readYaml<Yaml>(parametersFile).Parameters) : [];
      expect(provided).toEqual(expect.arrayContaining(extra));
    }
  });
});

describe('Dockerfile', () => {
  it('is multi-stage: builds with dev dependencies, runs with production ones on bookworm-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages[0];
    expect(instructionsOf(build, 'RUN')).toEqual(
      expect.arrayContaining(['npm ci --no-audit --no-fund', 'npm run build']),
    );
    expect(runtime.base).toBe('node:24-bookworm-slim');
    expect(instructionsOf(runtime, 'RUN').some((run) => run.includes('npm ci --omit=dev'))).toBe(
      true,
    );
    expect(instructionsOf(runtime, 'COPY')).toEqual(
      expect.arrayContaining([`--from=${build.name} /app/dist ./dist`]),
    );
  });

  it('prepares the embedding vectors at build time and points MODELS_DIR at them', () => {
    const convert = instructionsOf(stages[0], 'RUN').find((run) => run.includes('ensureConverted'));
    expect(convert).toContain("'/app/models'");
    expect(instructionsOf(runtime, 'COPY')).toContain(
      `--from=${stages[0].name} /app/models ./models`,
    );
    expect(envOf(runtime).MODELS_DIR).toBe('/app/models');
  });

  it('the build-time conversion command works against the build output', () => {
    const convert = instructionsOf(stages[0], 'RUN').find((run) => run.includes('ensureConverted'));
    const [, script] = /^node -e "(.*)"$/.exec(convert as string) ?? [];
    const modelsDir = mkdtempSync(join(tmpdir(), 'docker-models-'));
    try {
      ensureBuilt();
      execFileSync(
        process.execPath,
        ['-e', script.replace("'/app/models'", JSON.stringify(modelsDir))],
        {
          cwd: REPO_ROOT,
        },
      );
      expect(readdirSync(modelsDir)).toEqual([GLOVE_FILE_NAME]);
    } finally {
      rmSync(modelsDir, { recursive: true, force: true });
    }
  }, 240_000);

  it('runs as a non-root user', () => {
    const users = instructionsOf(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0', '0:0']).not.toContain(users[users.length - 1]);
    // USER comes before the command, so nothing at run time is root.
    const keywords = runtime.instructions.map((i) => i.keyword);
    expect(keywords.lastIndexOf('USER')).toBeLessThan(keywords.lastIndexOf('CMD'));
  });

  it('has a HEALTHCHECK on /health/live and starts dist/main.js', () => {
    const { command } = healthcheckOf(runtime);
    expect(command).toEqual(['node', 'docker/healthcheck.js']);
    expect(readRepoFile('docker/healthcheck.js')).toContain('/health/live');
    expect(instructionsOf(runtime, 'COPY')).toContain(
      'docker/healthcheck.js ./docker/healthcheck.js',
    );
    expect(commandWords(instructionsOf(runtime, 'CMD')[0])).toEqual(['node', 'dist/main.js']);
  });

  it('keeps local data, keys and build output out of the build context', () => {
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    expect(ignored).toEqual(
      expect.arrayContaining(['node_modules', 'dist', 'data', '.env', '.git']),
    );
  });

  it('the parser handles continuations, comments and stage names', () => {
    const parsed: DockerStage[] = parseDockerfile(
      '# syntax=docker/dockerfile:1\nFROM a:1 AS one\nRUN x \\\n  # inner comment\n  && y\nFROM one\nENV A=1 B="two"\n',
    );
    expect(parsed.map((stage) => [stage.base, stage.name])).toEqual([
      ['a:1', 'one'],
      ['one', undefined],
    ]);
    expect(parsed[0].instructions).toEqual([{ keyword: 'RUN', args: 'x && y' }]);
    expect(envOf(parsed[1])).toEqual({ A: '1', B: 'two' });
  });
});

describe('topology invariants shared by compose and Copilot', () => {
  const chromaVolume = Object.values<Yaml>(chroma.storage.volumes)[0];
  const composeChroma = compose.services.chroma;
  const composeApi = compose.services.api;

  it('Chroma runs as exactly one task, recreated on deploy, on read-write EFS', () => {
    expect(chroma.count).toBe(1);
    expect(chroma.deployment.rolling).toBe('recreate');
    expect(chromaVolume.read_only).toBe(false);
    expect(chromaVolume.efs.id).toEqual({ from_cfn: expect.any(String) });
    for (const [name, override] of Object.entries<Yaml>(chroma.environments ?? {})) {
      expect([name, override.count ?? 1]).toEqual([name, 1]);
    }
  });

  it('Chroma data sits at the same path in compose and Copilot: the image data path /data', () => {
    expect(composeChroma.volumes).toEqual(['chroma_data:/data']);
    expect(Object.keys(compose.volumes)).toEqual(['chroma_data']);
    expect(chromaVolume.path).toBe('/data');
  });

  it('compose and Copilot pin the same Chroma image, the release the tests run', () => {
    expect(composeChroma.image).toBe(chroma.image.location);
    expect(chroma.image.location).toBe(CHROMA_RELEASE.image);
  });

  it('the API reaches Chroma by the same host name and port in compose and Copilot', () => {
    const inCompose = new URL(composeApi.environment.CHROMA_HOST);
    const inCopilot = new URL(api.variables.CHROMA_HOST);
    expect(inCopilot.href).toBe(inCompose.href);
    expect(inCompose.hostname).toBe('chroma');
    expect(chroma.network.connect.alias).toBe(inCompose.hostname);
    expect(Object.keys(compose.services)).toContain(inCompose.hostname);
    expect(String(chroma.image.port)).toBe(inCompose.port);
    expect(api.network.connect).toBe(true);
    const viaDiscovery = new URL(reindex.variables.CHROMA_HOST.replace(/\$\{\w+\}/g, 'x'));
    expect([viaDiscovery.hostname.split('.')[0], viaDiscovery.port]).toEqual([
      'chroma',
      inCompose.port,
    ]);
  });

  it('the API port agrees across the Dockerfile, compose and the manifest', () => {
    const exposed = instructionsOf(runtime, 'EXPOSE');
    expect(exposed).toEqual([String(api.image.port)]);
    expect(envOf(runtime).PORT).toBe(String(api.image.port));
    expect(composeApi.ports).toEqual([`${api.image.port}:${api.image.port}`]);
    expect(composeApi.environment.PORT).toBe(String(api.image.port));
  });

  it('health checks: ALB and containers on liveness /health/live, Chroma on its heartbeat', () => {
    expect(api.http.healthcheck.path).toBe('/health/live');
    expect(api.image.healthcheck.command).toEqual(['CMD', ...healthcheckOf(runtime).command]);
    expect(chroma.image.healthcheck.command[3]).toContain('GET /api/v2/heartbeat ');
    expect(composeChroma.healthcheck.test).toEqual(chroma.image.healthcheck.command);
    expect(composeApi.depends_on).toEqual({ chroma: { condition: 'service_healthy' } });
  });

  it('the API image is the one the re-index job runs, with the re-index command', () => {
    // Not built twice: the pipeline passes the api's pushed image (test/runtime-image.e2e-spec.ts).
    expect(reindex.image).toEqual({ location: '${RAG_API_IMAGE}' });
    expect(composeApi.build).toEqual({ context: '..', dockerfile: api.image.build.dockerfile });
    expect(reindex.command).toEqual(['node', 'dist/cli', 'reindex', '--all']);
  });

  it('compose has an optional observability profile scraping the metrics port', () => {
    const observability = Object.entries<Yaml>(compose.services)
      .filter(([, service]) => service.profiles?.includes('observability'))
      .map(([name]) => name);
    expect(observability.sort()).toEqual(['grafana', 'prometheus']);
    expect(composeApi.profiles).toBeUndefined();
    expect(composeApi.expose).toEqual([composeApi.environment.METRICS_PORT]);
    for (const mount of [
      ...compose.services.prometheus.volumes,
      ...compose.services.grafana.volumes,
    ]) {
      const hostPath = (mount as string).split(':')[0];
      expect([hostPath, existsSync(join(REPO_ROOT, 'docker', hostPath))]).toEqual([hostPath, true]);
    }
    const scrape = readRepoFile('docker/prometheus.yml');
    expect(scrape).toContain(`api:${composeApi.environment.METRICS_PORT}`);
  });
});

describe('network isolation and storage in Copilot', () => {
  const exports = addonExports(storageAddon);
  const resources = storageAddon.Resources;

  it('Chroma drops the environment group and takes only its own', () => {
    expect(chroma.network.vpc.security_groups.deny_default).toBe(true);
    expect(fromCfnNames(chroma.network.vpc.security_groups.groups)).toEqual([
      'ChromaSecurityGroup',
    ]);
    expect(exports.ChromaSecurityGroup).toEqual(ref('ChromaSecurityGroup'));
  });

  it('the Chroma group admits 8000 from the API client group only', () => {
    expect(resources.ChromaSecurityGroup.Properties.SecurityGroupIngress).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: chroma.image.port,
        ToPort: chroma.image.port,
        SourceSecurityGroupId: ref('ChromaClientSecurityGroup'),
      }),
    ]);
    expect(fromCfnNames(api.network.vpc.security_groups.groups)).toEqual([
      'ChromaClientSecurityGroup',
    ]);
    expect(fromCfnNames(reindex.network.vpc.security_groups)).toEqual([
      'ChromaClientSecurityGroup',
    ]);
    expect(exports.ChromaClientSecurityGroup).toEqual(ref('ChromaClientSecurityGroup'));
    // No ingress rule anywhere opens Chroma to an address range.
    expect(JSON.stringify(storageAddon)).not.toMatch(/CidrIp/);
  });

  it('EFS mounts: the mount targets admit NFS (2049) from the Chroma group', () => {
    expect(resources.ChromaFileSystemSecurityGroup.Properties.SecurityGroupIngress).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 2049,
        ToPort: 2049,
        SourceSecurityGroupId: ref('ChromaSecurityGroup'),
      }),
    ]);
    const mountTargets = resourcesOfType(storageAddon, 'AWS::EFS::MountTarget');
    expect(mountTargets.length).toBeGreaterThanOrEqual(2);
    for (const [, target] of mountTargets) {
      expect(target.Properties.FileSystemId).toEqual(ref('ChromaFileSystem'));
      expect(target.Properties.SecurityGroups).toEqual([ref('ChromaFileSystemSecurityGroup')]);
    }
    const volume = Object.values<Yaml>(chroma.storage.volumes)[0];
    expect(exportSuffix(volume.efs.id.from_cfn)).toBe('ChromaFileSystemId');
    expect(exports.ChromaFileSystemId).toEqual(ref('ChromaFileSystem'));
    expect(resources.ChromaFileSystem.Properties.Encrypted).toBe(true);
    expect(resources.ChromaFileSystem.DeletionPolicy).toBe('Retain');
  });

  it('AWS Backup covers the file system', () => {
    const [[, selection]] = resourcesOfType(storageAddon, 'AWS::Backup::BackupSelection');
    expect(selection.Properties.BackupSelection.Resources).toEqual([
      { 'Fn::GetAtt': 'ChromaFileSystem.Arn' },
    ]);
    expect(selection.Properties.BackupPlanId).toEqual(ref('ChromaBackupPlan'));
  });

  it('alarms: EFS burst credits and I/O limit, Chroma not running and restarting, API 5xx', () => {
    const alarms = [
      storageAddon,
      readYaml<Yaml>('copilot/chroma/addons/alarms.yml'),
      readYaml<Yaml>('copilot/api/addons/alarms.yml'),
    ].flatMap((template) =>
      resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(
        ([, alarm]) => alarm.Properties.MetricName,
      ),
    );
    expect(alarms.sort()).toEqual(
      [
        'BurstCreditBalance',
        'HTTPCode_Target_5XX_Count',
        'PercentIOLimit',
        'RunningTaskCount',
        'TriggeredRules',
      ].sort(),
    );
    for (const env of ['staging', 'prod']) {
      const manifest = readYaml<Yaml>(`copilot/environments/${env}/manifest.yml`);
      expect(manifest.observability.container_insights).toBe(true);
    }
  });
});

describe('secrets', () => {
  const scanned = [
    ...filesUnder('copilot'),
    ...filesUnder('docker'),
    '.dockerignore',
    'docs/deployment.md',
  ];

  it.each(scanned)('%s holds no credential', (path) => {
    expect(findSecrets(readRepoFile(path))).toEqual([]);
  });

  it('the scanner finds planted credentials', () => {
    const planted = [
      `EMBEDDINGS_API_KEY: sk-${'a1B2'.repeat(8)}`,
      `aws_access_key_id = AKIA${'ABCDEFGH'.repeat(2)}`,
      '-----BEGIN RSA PRIVATE KEY-----',
      'CHROMA_AUTH_TOKEN=3f9a8b7c6d5e4f3a2b1c',
    ];
    for (const line of planted) expect(findSecrets(line)).not.toEqual([]);
  });

  it('manifests pass secrets only as references and never as plain variables', () => {
    for (const manifest of [api, reindex, chroma]) {
      expect(
        Object.keys(manifest.variables ?? {}).filter((name) =>
          /KEY|TOKEN|SECRET|PASSWORD/i.test(name),
        ),
      ).toEqual([]);
    }
    expect(Object.keys(api.secrets)).toEqual(
      expect.arrayContaining(['EMBEDDINGS_API_KEY', 'LLM_API_KEY']),
    );
    for (const [, value] of Object.entries<Yaml | string>(api.secrets)) {
      if (typeof value !== 'string') expect(Object.keys(value)).toEqual(['secretsmanager']);
    }
  });

  it('compose only passes secrets through from the caller environment', () => {
    for (const [name, value] of Object.entries<string>(compose.services.api.environment)) {
      if (/KEY|TOKEN|SECRET|PASSWORD/i.test(name)) expect(value).toBe(`\${${name}:-}`);
    }
  });
});

describe('release pipeline', () => {
  const readmeTestCommand = (): string => {
    const readme = readRepoFile('README.md');
    const match = /Run the whole test suite[^`]*```bash\n([^\n]+)\n```/.exec(readme);
    if (!match) throw new Error('README no longer shows the test command');
    return match[1].trim();
  };

  it('the build stage runs the README test command before packaging', () => {
    expect(buildspec.phases.build.commands).toEqual([readmeTestCommand()]);
    expect(pipeline.build.buildspec).toBe('copilot/pipelines/rag-api-main/buildspec.yml');
    expect(JSON.stringify(buildspec.phases.post_build.commands)).toContain('svc package');
  });

  it('deploys staging, smoke-tests it, waits for approval, then prod and smoke-tests it', () => {
    expect(pipeline.stages.map((stage: Yaml) => stage.name)).toEqual(['staging', 'prod']);
    expect(pipeline.stages.map((stage: Yaml) => stage.requires_approval ?? false)).toEqual([
      false,
      true,
    ]);
    for (const stage of pipeline.stages) {
      expect(stage.test_commands).toEqual([
        `bash copilot/pipelines/rag-api-main/smoke.sh ${stage.name}`,
      ]);
    }
    expect(readRepoFile('copilot/pipelines/rag-api-main/smoke.sh')).toMatch(
      /npm run smoke -- --base-url "\$base_url" --token "\$token"/,
    );
  });

  it('package.json runs the smoke and migration CLIs', () => {
    const scripts = (
      JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts.smoke).toContain('src/cli/index.ts smoke');
    expect(scripts['chroma:migrate']).toContain('src/cli/index.ts chroma-migrate');
  });
});
