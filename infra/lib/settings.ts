import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

export type EnvironmentName = 'staging' | 'prod';

/** An existing VPC: its id, and subnets spread over the same availability zones. */
export interface ImportedVpc {
  vpcId: string;
  availabilityZones: string[];
  publicSubnetIds: string[];
  privateSubnetIds: string[];
}

/** An existing Cognito user pool and the app client ids the API accepts. */
export interface ImportedUserPool {
  userPoolId: string;
  clientIds: string[];
}

export interface EnvironmentSettings {
  name: EnvironmentName;
  account: string;
  region: string;
  /** Zones named in context; otherwise the stack picks the region's first two at deploy time. */
  availabilityZones?: string[];
  /** The name the certificate covers; clients and the smoke test call https://<apiDomain>. */
  apiDomain: string;
  apiTasks: { min: number; max: number };
  natGateways: number;
  logRetention: RetentionDays;
  backupRetentionDays: number;
  vpc?: ImportedVpc;
  userPool?: ImportedUserPool;
  /** Image tag of the one-off migration task (default: the API image tag of the deployment). */
  migrationImageTag?: string;
}

/** The account synth uses when none is given: templates only, never deployed there. */
export const PLACEHOLDER_ACCOUNT = '111111111111';
export const DEFAULT_REGION = 'eu-west-1';

const DEFAULTS: Record<EnvironmentName, Omit<EnvironmentSettings, 'account' | 'region'>> = {
  staging: {
    name: 'staging',
    apiDomain: 'api.staging.example.com',
    apiTasks: { min: 1, max: 2 },
    natGateways: 1,
    logRetention: RetentionDays.ONE_MONTH,
    backupRetentionDays: 7,
  },
  prod: {
    name: 'prod',
    apiDomain: 'api.example.com',
    apiTasks: { min: 2, max: 6 },
    natGateways: 2,
    logRetention: RetentionDays.THREE_MONTHS,
    backupRetentionDays: 35,
  },
};

const list = (value: unknown): string[] | undefined =>
  typeof value === 'string' && value !== ''
    ? value.split(',').map((item) => item.trim())
    : undefined;
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * One environment's settings: the defaults above, overridden by context (`-c key=value` or
 * infra/cdk.json): `account`, `region`, and per environment `<env>:apiDomain`, `<env>:vpcId` with
 * `<env>:publicSubnetIds` and `<env>:privateSubnetIds` (comma-separated, one per zone of
 * `<env>:availabilityZones`), `<env>:userPoolId` with `<env>:userPoolClientIds`,
 * `<env>:migrationImageTag`.
 */
export function settingsFor(
  name: EnvironmentName,
  node: Node,
  processEnv: NodeJS.ProcessEnv = process.env,
): EnvironmentSettings {
  const context = (key: string): unknown => node.tryGetContext(key);
  const region = text(context('region')) ?? text(processEnv.CDK_DEFAULT_REGION) ?? DEFAULT_REGION;
  const availabilityZones = list(context(`${name}:availabilityZones`));
  const vpcId = text(context(`${name}:vpcId`));
  const userPoolId = text(context(`${name}:userPoolId`));
  return {
    ...DEFAULTS[name],
    account:
      text(context('account')) ?? text(processEnv.CDK_DEFAULT_ACCOUNT) ?? PLACEHOLDER_ACCOUNT,
    region,
    availabilityZones,
    apiDomain: text(context(`${name}:apiDomain`)) ?? DEFAULTS[name].apiDomain,
    migrationImageTag: text(context(`${name}:migrationImageTag`)),
    vpc: vpcId
      ? {
          vpcId,
          availabilityZones: required(availabilityZones, `${name}:availabilityZones`),
          publicSubnetIds: required(
            list(context(`${name}:publicSubnetIds`)),
            `${name}:publicSubnetIds`,
          ),
          privateSubnetIds: required(
            list(context(`${name}:privateSubnetIds`)),
            `${name}:privateSubnetIds`,
          ),
        }
      : undefined,
    userPool: userPoolId
      ? {
          userPoolId,
          clientIds: required(
            list(context(`${name}:userPoolClientIds`)),
            `${name}:userPoolClientIds`,
          ),
        }
      : undefined,
  };
}

function required<T>(value: T | undefined, key: string): T {
  if (value === undefined) throw new Error(`context ${key} is required with the imported resource`);
  return value;
}
