import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import {
  filesUnder,
  healthcheckOf,
  parseDockerfile,
  readRepoFile,
  readYaml,
  REPO_ROOT,
} from './support/deploy-files';
import { sharedChromaUrl } from './support/test-app';
import { CHROMA_ENFORCES_TOKEN_AUTH, imageFacts } from './support/third-party-images';
import {
  COMPOSE_1_29_TOP_LEVEL,
  COPILOT_PIPELINE,
  COPILOT_TASK_RUN_FLAGS,
} from './support/third-party-tools';

/**
 * The deployment files checked against what they run on: facts pinned from the third-party
 * sources (test/support/third-party-*.ts), not against our own description of them.
 */

/* eslint-disable @typescript-eslint/no-explicit-any -- parsed YAML is walked structurally */
type Yaml = Record<string, any>;

const compose = readYaml<Yaml>('docker/docker-compose.yml');
const api = readYaml<Yaml>('copilot/api/manifest.yml');
const pipeline = readYaml<Yaml>('copilot/pipelines/rag-api-main/manifest.yml');
const apiImageStages = parseDockerfile(readRepoFile('docker/Dockerfile'));
const apiImageBase = apiImageStages[apiImageStages.length - 1].base;
const smokeScript = 'copilot/pipelines/rag-api-main/smoke.sh';

/** Copilot workload manifests (services and jobs) by name. */
const workloads: Record<string, Yaml> = Object.fromEntries(
  filesUnder('copilot')
    .filter((path) => /^copilot\/[^/]+\/manifest\.yml$/.test(path))
    .map((path) => readYaml<Yaml>(path))
    .map((manifest) => [manifest.name as string, manifest]),
);

/** Every repository file outside dependencies and build output, repository-relative. */
function repoFiles(dir = ''): string[] {
  return readdirSync(join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      return ['node_modules', '.git', 'dist', 'data', 'models', 'coverage'].includes(entry.name)
        ? []
        : repoFiles(path);
    }
    return entry.isFile() ? [path] : [];
  });
}

/** A shell command line split into words (quotes removed) and operators. */
function shellTokens(script: string): string[] {
  const tokens: string[] = [];
  let word = '';
  let quote: string | undefined;
  const flush = () => {
    if (word !== '') tokens.push(word);
    word = '';
  };
  for (let i = 0; i < script.length; i++) {
    const char = script[i];
    if (quote) {
      if (char === quote) quote = undefined;
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (/\s/.test(char)) {
      flush();
    } else if (/[;&|]/.test(char)) {
      flush();
      const double = script[i + 1] === char;
      tokens.push(double ? char + char : char);
      if (double) i++;
    } else {
      word += char;
    }
  }
  flush();
  return tokens;
}

/** The program each simple command of a shell script runs (redirection-only words skipped). */
const commandsOf = (script: string): string[] =>
  shellTokens(script)
    .join(' ')
    .split(/ (?:&&|\|\||;|\|) /)
    .map((command) => command.split(' ').find((word) => !/^\d*[<>]/.test(word)) as string);

const BASH_BUILTINS = ['exec', 'printf', 'echo', 'read', 'test', '[', '[[', 'true', 'false'];

interface HealthCheck {
  where: string;
  image: string;
  /** The words of a CMD form; CMD-SHELL is `['/bin/sh', '-c', script]`. */
  command: string[];
}

function healthChecks(): HealthCheck[] {
  const checks: HealthCheck[] = [];
  const normalize = (test: string[]): string[] =>
    test[0] === 'CMD-SHELL' ? ['sh', '-c', test[1]] : test.slice(1);
  for (const [name, service] of Object.entries<Yaml>(compose.services)) {
    if (!service.healthcheck) continue;
    checks.push({
      where: `docker-compose ${name}`,
      image: service.build ? apiImageBase : service.image,
      command: normalize(service.healthcheck.test),
    });
  }
  for (const [name, manifest] of Object.entries(workloads)) {
    const scopes: [string, Yaml][] = [
      ['', manifest],
      ...Object.entries<Yaml>(manifest.environments ?? {}),
    ];
    for (const [scope, config] of scopes) {
      const image = config.image ?? {};
      if (!image.healthcheck) continue;
      const location = image.location ?? manifest.image.location;
      checks.push({
        where: `copilot ${name}${scope ? ` (${scope})` : ''}`,
        image: location ?? apiImageBase,
        command: normalize(image.healthcheck.command),
      });
    }
  }
  const dockerfileCheck = healthcheckOf(apiImageStages[apiImageStages.length - 1]).command;
  checks.push({
    where: 'docker/Dockerfile HEALTHCHECK',
    image: apiImageBase,
    command: dockerfileCheck,
  });
  return checks;
}

describe('health checks use only what their image contains', () => {
  const checks = healthChecks();

  it('finds the health checks of compose, every Copilot manifest and the Dockerfile', () => {
    expect(checks.map((check) => check.where)).toEqual(
      expect.arrayContaining([
        'docker-compose chroma',
        'copilot api',
        'copilot chroma',
        'docker/Dockerfile HEALTHCHECK',
      ]),
    );
  });

  it.each(checks.map((check) => [check.where, check] as const))('%s', (_where, check) => {
    const facts = imageFacts(check.image);
    const [program, ...args] = check.command;
    const called = [program];
    if (['bash', 'sh'].includes(program) && args[0] === '-c') {
      called.push(...commandsOf(args[1]).filter((word) => !BASH_BUILTINS.includes(word)));
      if (args[1].includes('/dev/tcp/')) {
        // dash (Debian's sh) has no /dev/tcp; only bash does, where built with it.
        expect([program, facts.bashDevTcp]).toEqual(['bash', true]);
      }
    }
    for (const executable of called) {
      expect({ executable, inImage: facts.executables.includes(executable) }).toEqual({
        executable,
        inImage: true,
      });
    }
    expect(called.filter((executable) => facts.absent.includes(executable))).toEqual([]);
  });

  it('the checker rejects curl in the Chroma image and node in a script', () => {
    const chroma = imageFacts(workloads.chroma.image.location);
    expect(chroma.executables).not.toContain('curl');
    expect(chroma.absent).toContain('curl');
    expect(
      commandsOf("exec 3<>/dev/tcp/h/1 && printf 'a b' >&3 | grep -q 'x y' <&3; node x"),
    ).toEqual(['exec', 'printf', 'grep', 'node']);
    expect(() => imageFacts('chromadb/chroma:0.0.1')).toThrow(/no pinned facts/);
  });

  describe('the Chroma probe against a real Chroma server', () => {
    const probe = (port: number): Promise<number> => {
      const [, , , script] = workloads.chroma.image.healthcheck.command as string[];
      const local = script.replace('/dev/tcp/127.0.0.1/8000', `/dev/tcp/127.0.0.1/${port}`);
      return promisify(execFile)('bash', ['-c', local], { timeout: 5000 }).then(
        () => 0,
        (error: { code?: number }) => error.code ?? 1,
      );
    };

    it('compose and Copilot run the same probe, on the image port', () => {
      expect(compose.services.chroma.healthcheck.test).toEqual(
        workloads.chroma.image.healthcheck.command,
      );
      expect(workloads.chroma.image.healthcheck.command[3]).toContain(
        `/dev/tcp/127.0.0.1/${workloads.chroma.image.port}`,
      );
    });

    it('passes while the server answers its heartbeat', async () => {
      expect(await probe(Number(new URL(sharedChromaUrl()).port))).toBe(0);
    });

    it('fails on a closed port and on a non-200 answer', async () => {
      const unhealthy = createServer((_req, res) => res.writeHead(503).end('starting'));
      unhealthy.listen(0, '127.0.0.1');
      await once(unhealthy, 'listening');
      const { port } = unhealthy.address() as AddressInfo;
      try {
        expect(await probe(port)).not.toBe(0);
      } finally {
        unhealthy.close();
      }
      expect(await probe(port)).not.toBe(0);
    });
  });
});

/** IAM pattern match (`*` any run of characters, `?` one character). */
const iamMatches = (pattern: string, value: string): boolean =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);

interface AwsCall {
  action: string;
  /** A concrete ARN the call touches in `stage`. */
  resource: (stage: string) => string;
}

/** AWS CLI calls of a script: `aws <service> <operation>` → IAM action `<service>:<Operation>`. */
function awsCliCalls(script: string): AwsCall[] {
  const vars: Record<string, string> = {};
  for (const [, name, value] of script.matchAll(/^(\w+)="([^"$]*)"$/gm)) vars[name] = value;
  return [...script.matchAll(/\baws ([a-z0-9-]+) ([a-z0-9-]+)((?:[^\n]|\\\n)*)/g)].map(
    ([, service, operation, args]) => {
      const action = `${service}:${operation.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`;
      const secretId = /--secret-id "([^"]+)"/.exec(args)?.[1];
      const stackName = /--stack-name "([^"]+)"/.exec(args)?.[1];
      const expand = (text: string, stage: string) =>
        text.replace(/\$\{(\w+)\}/g, (_m, name: string) =>
          name === 'env_name' ? stage : (vars[name] ?? `<${name}>`),
        );
      const resource = (stage: string): string => {
        if (secretId)
          return `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${expand(secretId, stage)}-AbC123`;
        if (stackName)
          return `arn:aws:cloudformation:eu-west-1:123456789012:stack/${expand(stackName, stage)}/id`;
        throw new Error(`${action}: no resource mapping; add one for this call`);
      };
      return { action, resource };
    },
  );
}

/** SDK commands (`new XCommand(` from `@aws-sdk/client-<service>`) in the files `entry` imports. */
function sdkActions(entry: string, seen = new Set<string>()): string[] {
  if (seen.has(entry)) return [];
  seen.add(entry);
  const source = readRepoFile(entry);
  const services = [...source.matchAll(/from '@aws-sdk\/client-([a-z0-9-]+)'/g)].map((m) => m[1]);
  const actions = services.flatMap((service) =>
    [...source.matchAll(/new (\w+)Command\(/g)].map((m) => `${service}:${m[1]}`),
  );
  const imports = [...source.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map(
    (m) => `${relative(REPO_ROOT, join(REPO_ROOT, dirname(entry), m[1]))}.ts`,
  );
  return [...actions, ...imports.flatMap((path) => sdkActions(path, seen))];
}

describe('the smoke stage may call every AWS API it calls', () => {
  const statements: Yaml[] = pipeline.build.additional_policy.PolicyDocument.Statement;
  const granted = (action: string, resource: string): boolean =>
    statements.some(
      (statement) =>
        statement.Effect === 'Allow' &&
        [statement.Action].flat().some((pattern: string) => iamMatches(pattern, action)) &&
        [statement.Resource].flat().some((pattern: string) => iamMatches(pattern, resource)),
    );

  it('test_commands run under the build role, the role additional_policy extends (Copilot source)', () => {
    expect(COPILOT_PIPELINE.testCommandsRole).toBe(COPILOT_PIPELINE.additionalPolicyRole);
  });

  const stages = (pipeline.stages as Yaml[]).map((stage): [string, Yaml] => [stage.name, stage]);
  it.each(stages)(
    'stage %s: every aws CLI call of its test_commands is granted on its resource',
    (name, stage) => {
      const scripts = (stage.test_commands as string[]).map((command) => {
        const file = /^bash (\S+)/.exec(command)?.[1];
        return file ? readRepoFile(file) : command;
      });
      const calls = scripts.flatMap(awsCliCalls);
      expect(calls.map((call) => call.action)).toEqual(['secretsmanager:GetSecretValue']);
      for (const call of calls) {
        const resource = call.resource(name);
        expect({ call: call.action, resource, granted: granted(call.action, resource) }).toEqual({
          call: call.action,
          resource,
          granted: true,
        });
      }
    },
  );

  it('the smoke CLI makes no AWS SDK calls', () => {
    const scripts = (JSON.parse(readRepoFile('package.json')) as Yaml).scripts as Record<
      string,
      string
    >;
    const entry = /(\S+\.ts)\b/.exec(scripts.smoke)?.[1] as string;
    expect(sdkActions(entry)).toEqual([]);
  });

  it('grants are scoped: no wildcard resource, nothing but the smoke secrets', () => {
    for (const statement of statements) {
      expect([statement.Resource].flat()).not.toContain('*');
    }
    expect(
      granted(
        'secretsmanager:GetSecretValue',
        'arn:aws:secretsmanager:eu-west-1:1:secret:rag-api/prod/openai-AbC123',
      ),
    ).toBe(false);
    expect(
      granted(
        'secretsmanager:PutSecretValue',
        'arn:aws:secretsmanager:eu-west-1:1:secret:rag-api/prod/smoke-AbC123',
      ),
    ).toBe(false);
  });

  it('the extractor maps CLI calls to IAM actions and resources', () => {
    const [call] = awsCliCalls(
      'app="a"\nx=$(aws cloudformation describe-stacks --stack-name "${app}-${env_name}")',
    );
    expect(call.action).toBe('cloudformation:DescribeStacks');
    expect(call.resource('prod')).toBe(
      'arn:aws:cloudformation:eu-west-1:123456789012:stack/a-prod/id',
    );
  });
});

describe('pipeline order, TLS, the Chroma boundary', () => {
  it('each stage deploys every workload, and the API and the job only after Chroma', () => {
    for (const stage of pipeline.stages) {
      expect(Object.keys(stage.deployments).sort()).toEqual(Object.keys(workloads).sort());
      expect(stage.deployments.chroma).toBeNull();
      for (const [name, deployment] of Object.entries<Yaml | null>(stage.deployments)) {
        if (name !== 'chroma') expect(deployment?.depends_on).toEqual(['chroma']);
      }
    }
  });

  it('the ALB checks liveness; the smoke test checks readiness', () => {
    expect(api.http.healthcheck.path).toBe('/health/live');
    expect(readRepoFile('docker/healthcheck.js')).toContain(api.http.healthcheck.path);
    expect(readRepoFile('src/smoke/smoke-checks.ts')).toContain("send('/health')");
  });

  it('HTTPS: every environment imports a certificate, each stage has an alias, HTTP redirects', () => {
    for (const env of ['staging', 'prod']) {
      const manifest = readYaml<Yaml>(`copilot/environments/${env}/manifest.yml`);
      expect(manifest.http.public.certificates).toEqual([
        expect.stringMatching(/^(arn:aws:acm:|\$\{)/),
      ]);
    }
    expect(api.http.redirect_to_https).toBe(true);
    for (const stage of pipeline.stages) {
      expect(api.environments[stage.name].http.alias).toMatch(/^[a-z0-9.-]+\.[a-z]+$/);
    }
  });

  it('the smoke test goes over HTTPS to the stage alias', () => {
    const script = readRepoFile(smokeScript);
    expect(script).toMatch(/base_url="https:\/\/\$\{domain/);
    expect(script).toContain('.dig("environments", ARGV[1], "http", "alias")');
    expect(script).toContain('copilot/api/manifest.yml "$env_name"');
    expect(script).not.toMatch(/http:\/\//);
  });

  it('no deployed task needs CHROMA_AUTH_TOKEN: Chroma 1.5.9 checks no token', () => {
    expect(CHROMA_ENFORCES_TOKEN_AUTH).toBe(false);
    for (const manifest of Object.values(workloads)) {
      expect(Object.keys({ ...manifest.secrets, ...manifest.variables })).not.toContain(
        'CHROMA_AUTH_TOKEN',
      );
    }
    expect(Object.keys(compose.services.api.environment)).not.toContain('CHROMA_AUTH_TOKEN');
  });

  it('the Chroma group admits port 8000 only, only from the client group, in every template', () => {
    const ingressToChroma = (path: string): Yaml[] => {
      const template = readYaml<Yaml>(path).Resources as Record<string, Yaml>;
      const resources = Object.values(template);
      return [
        ...(template.ChromaSecurityGroup?.Properties.SecurityGroupIngress ?? []),
        ...resources
          .filter((r) => r.Type === 'AWS::EC2::SecurityGroupIngress')
          .filter((r) => JSON.stringify(r.Properties.GroupId).includes('ChromaSecurityGroup'))
          .map((r) => r.Properties),
      ];
    };
    const [copilotTemplates, cdkTemplates] = [/^copilot\//, /^infra\/cdk\.out\//].map((prefix) =>
      cfnTemplates().filter((path) => prefix.test(path)),
    );
    expect(copilotTemplates.length + cdkTemplates.length).toBe(cfnTemplates().length);
    expect(copilotTemplates.flatMap(ingressToChroma)).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 8000,
        ToPort: 8000,
        SourceSecurityGroupId: { Ref: 'ChromaClientSecurityGroup' },
      }),
    ]);
    // The CDK stacks (once synthesized) give the API, the re-index and the migration task a group
    // each; infra/lib/rag-api-stack.spec.ts checks the same on the stacks themselves.
    for (const path of cdkTemplates.filter((p) => /RagApi-(staging|prod)\./.test(p))) {
      const sources = ingressToChroma(path).map((rule) => [
        rule.IpProtocol,
        rule.FromPort,
        rule.ToPort,
        String(rule.SourceSecurityGroupId['Fn::GetAtt'][0]).replace(/[0-9A-F]{8}$/, ''),
      ]);
      expect([path, sources.sort()]).toEqual([
        path,
        ['ApiSecurityGroup', 'MigrationSecurityGroup', 'ReindexSecurityGroup'].map((group) => [
          'tcp',
          8000,
          8000,
          group,
        ]),
      ]);
    }
    // The client group goes on the API and the job (and the runbook's migration task) only.
    const clients = Object.entries(workloads)
      .filter(([, manifest]) =>
        JSON.stringify(manifest.network ?? {}).includes('-ChromaClientSecurityGroup'),
      )
      .map(([name]) => name);
    expect(clients.sort()).toEqual(['api', 'reindex']);
  });
});

/** Every CloudFormation template: a YAML/JSON file whose `Resources` hold `AWS::` types. */
function cfnTemplates(): string[] {
  return repoFiles()
    .filter((path) => /\.(ya?ml|json|template)$/.test(path))
    .filter((path) => {
      let parsed: Yaml | undefined;
      try {
        parsed = /\.json$/.test(path)
          ? (JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as Yaml)
          : readYaml<Yaml>(path);
      } catch {
        return false;
      }
      const resources = parsed?.Resources;
      return (
        resources !== null &&
        typeof resources === 'object' &&
        Object.values<Yaml>(resources).some((r) => /^AWS::/.test(String(r?.Type)))
      );
    })
    .sort();
}

/** A cfn-lint template glob as a regular expression (`**` any folders, `*` within one). */
const globRegExp = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .split('**/')
      .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
      .join('(?:.*/)?')}$`,
  );

describe('cfn-lint covers every CloudFormation template', () => {
  const config = readYaml<{ templates: string[]; ignore_templates?: string[] }>('.cfnlintrc');
  const linted = (path: string) =>
    config.templates.some((glob) => globRegExp(glob).test(path)) &&
    !(config.ignore_templates ?? []).some((glob) => globRegExp(glob).test(path));

  it('finds the addon templates, and not the addon parameter files', () => {
    expect(cfnTemplates()).toEqual(
      expect.arrayContaining([
        'copilot/api/addons/alarms.yml',
        'copilot/chroma/addons/alarms.yml',
        'copilot/environments/addons/chroma-storage.yml',
      ]),
    );
    expect(cfnTemplates().filter((path) => path.endsWith('addons.parameters.yml'))).toEqual([]);
  });

  it.each(cfnTemplates())('%s is linted by .cfnlintrc', (path) => {
    expect(linted(path)).toBe(true);
  });

  it('.ci/run runs cfn-lint with that configuration and ignores no rule', () => {
    const ci = readRepoFile('.ci/run');
    expect(ci).toMatch(/^cfn-lint$/m);
    expect(Object.keys(config).sort()).toEqual(['ignore_templates', 'templates']);
    expect(globRegExp('copilot/**/addons/*.yml').test('copilot/a/b/addons/x.yml')).toBe(true);
    expect(globRegExp('copilot/**/addons/*.yml').test('copilot/addons/x/y.yml')).toBe(false);
  });
});

describe('compose, runbook and package.json against their tools', () => {
  it('docker-compose 1.29 accepts the top-level keys', () => {
    expect(Object.keys(compose).filter((key) => !COMPOSE_1_29_TOP_LEVEL.test(key))).toEqual([]);
  });

  const runbook = readRepoFile('docs/deployment.md');

  it('the runbook uses only real `copilot task run` flags', () => {
    const commands = [...runbook.matchAll(/copilot task run((?:[^\n]|\\\n)*)/g)].map((m) => m[1]);
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      const flags = [...command.matchAll(/(?:^|\s)--?([a-z][a-z-]*)/g)].map((m) => m[1]);
      expect(flags.filter((flag) => !COPILOT_TASK_RUN_FLAGS.includes(flag))).toEqual([]);
    }
  });

  it('the runbook logs in to the registry before building from the API image', () => {
    const login = runbook.indexOf('aws ecr get-login-password');
    expect(login).toBeGreaterThan(0);
    expect(runbook.slice(login, login + 300)).toMatch(
      /docker login --username AWS --password-stdin/,
    );
    expect(login).toBeLessThan(runbook.indexOf('FROM $API_IMAGE'));
  });

  it('package.json declares every package src/ imports', () => {
    const manifest = JSON.parse(readRepoFile('package.json')) as Yaml;
    const declared = new Set(
      Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }),
    );
    const imported = new Set(
      filesUnder('src')
        .filter((path) => path.endsWith('.ts') && !path.endsWith('.spec.ts'))
        .flatMap((path) =>
          [...readRepoFile(path).matchAll(/^import (?!type )[^;]*? from '([^.'][^']*)'/gms)].map(
            (m) => m[1],
          ),
        )
        .filter((name) => !name.startsWith('node:'))
        .map((name) =>
          name
            .split('/')
            .slice(0, name.startsWith('@') ? 2 : 1)
            .join('/'),
        ),
    );
    expect([...imported].filter((name) => !declared.has(name))).toEqual([]);
    expect(imported).toContain('@smithy/node-http-handler');
  });
});
