import topology from '../deploy/topology.json';
import { envSchema } from '../src/config/env.schema';
import { CHROMA_RELEASE } from './support/chroma-release';
import { readYaml } from './support/deploy-files';

/* eslint-disable @typescript-eslint/no-explicit-any -- parsed YAML is walked structurally */
type Yaml = Record<string, any>;

/**
 * deploy/topology.json holds what compose, Copilot and the CDK app (infra/, which reads it) must
 * agree on; this checks compose and the Copilot manifests against it.
 */
const compose = readYaml<Yaml>('docker/docker-compose.yml');
const api = readYaml<Yaml>('copilot/api/manifest.yml');
const chroma = readYaml<Yaml>('copilot/chroma/manifest.yml');
const reindex = readYaml<Yaml>('copilot/reindex/manifest.yml');
const copilotApp = readYaml<Yaml>('copilot/.workspace').application as string;
const chromaUrl = `http://${topology.chroma.service}:${topology.chroma.port}`;

describe('deploy/topology.json: the values compose, Copilot and the CDK app share', () => {
  it('names the application and its services as Copilot and compose do', () => {
    expect(copilotApp).toBe(topology.app);
    expect([api.name, chroma.name, reindex.name]).toEqual([
      topology.api.service,
      topology.chroma.service,
      topology.reindex.job,
    ]);
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining([topology.api.service, topology.chroma.service]),
    );
    expect(chroma.network.connect.alias).toBe(topology.chroma.service);
  });

  it('pins the Chroma image, port, data path and health probe of compose and Copilot', () => {
    expect(topology.chroma.image).toBe(CHROMA_RELEASE.image);
    expect(compose.services.chroma.image).toBe(topology.chroma.image);
    expect(chroma.image.location).toBe(topology.chroma.image);
    expect(chroma.image.port).toBe(topology.chroma.port);
    expect(compose.services.chroma.ports).toEqual([
      `127.0.0.1:${topology.chroma.port}:${topology.chroma.port}`,
    ]);
    expect(compose.services.chroma.volumes).toEqual([`chroma_data:${topology.chroma.dataPath}`]);
    expect(Object.values<Yaml>(chroma.storage.volumes)[0].path).toBe(topology.chroma.dataPath);
    expect(compose.services.chroma.healthcheck.test).toEqual(topology.chroma.healthCheck);
    expect(chroma.image.healthcheck.command).toEqual(topology.chroma.healthCheck);
    expect([chroma.cpu, chroma.memory]).toEqual([topology.chroma.cpu, topology.chroma.memory]);
  });

  it('pins the API port, health checks, sizes, scaling and production variables of Copilot', () => {
    expect(api.image.port).toBe(topology.api.port);
    expect(compose.services.api.environment.PORT).toBe(String(topology.api.port));
    expect(api.http.healthcheck.path).toBe(topology.api.livenessPath);
    expect(api.image.healthcheck.command).toEqual(topology.api.healthCheck);
    expect([api.cpu, api.memory]).toEqual([topology.api.cpu, topology.api.memory]);
    expect([api.count.cpu_percentage, api.count.memory_percentage]).toEqual([
      topology.api.scaling.cpuPercent,
      topology.api.scaling.memoryPercent,
    ]);
    const { [topology.env.chromaHost]: chromaHost, ...variables } = api.variables as Yaml;
    expect(Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)]))).toEqual(
      topology.api.environment,
    );
    expect(chromaHost).toBe(chromaUrl);
    expect(compose.services.api.environment[topology.env.chromaHost]).toBe(chromaUrl);
  });

  it('uses the environment variable names the API reads, for Chroma, Cognito and the model keys', () => {
    const known = Object.keys(envSchema.shape);
    const names = [
      topology.env.chromaHost,
      ...Object.values(topology.env.cognito),
      ...Object.keys(topology.modelKeys.fields),
      ...Object.keys(topology.api.environment),
    ];
    expect(names.filter((name) => !known.includes(name))).toEqual([]);
  });

  it('references the model keys and Cognito settings in Copilot by the same names and fields', () => {
    const secretRef = (field: string) =>
      `\${COPILOT_APPLICATION_NAME}/\${COPILOT_ENVIRONMENT_NAME}/${topology.modelKeys.secretSuffix}:${field}::`;
    for (const [name, field] of Object.entries(topology.modelKeys.fields)) {
      expect(api.secrets[name]).toEqual({ secretsmanager: secretRef(field) });
      expect(compose.services.api.environment[name]).toBe(`\${${name}:-}`);
    }
    for (const name of topology.reindex.secrets) {
      expect(reindex.secrets[name]).toEqual(api.secrets[name]);
    }
    for (const name of Object.values(topology.env.cognito)) {
      expect([name, typeof api.secrets[name]]).toEqual([name, 'string']);
    }
  });

  it('schedules the re-index with the Copilot job command and schedule', () => {
    expect(reindex.command).toEqual(topology.reindex.command);
    expect(reindex.on.schedule).toBe(topology.reindex.schedule);
  });
});
