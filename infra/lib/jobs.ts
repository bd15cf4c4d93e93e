import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PRIVATE_SUBNETS } from './network';
import type { EnvironmentSettings } from './settings';
import { TOPOLOGY } from './topology';

export interface JobsProps {
  settings: EnvironmentSettings;
  cluster: ecs.Cluster;
  apiImage: ecs.ContainerImage;
  migrationImage: ecs.ContainerImage;
  reindexSecurityGroup: ec2.ISecurityGroup;
  migrationSecurityGroup: ec2.ISecurityGroup;
  /** Chroma by its DNS name: these tasks are not Service Connect clients. */
  chromaUrl: string;
  environment: Record<string, string>;
  secrets: Record<string, ecs.Secret>;
}

/**
 * Tasks of the API image that are not the service: the nightly re-index, scheduled by
 * EventBridge, and the one-off migration of the runbook (docs/deployment.md), started by hand.
 */
export class ApiJobs extends Construct {
  readonly reindexTask: ecs.FargateTaskDefinition;
  readonly migrationTask: ecs.FargateTaskDefinition;
  readonly reindexSchedule: events.Rule;

  constructor(scope: Construct, id: string, props: JobsProps) {
    super(scope, id);
    const { reindex, migration } = TOPOLOGY;
    const environment = { ...props.environment, [TOPOLOGY.env.chromaHost]: props.chromaUrl };

    this.reindexTask = this.taskDefinition('Reindex', props, {
      image: props.apiImage,
      command: reindex.command,
      environment,
      secrets: Object.fromEntries(reindex.secrets.map((name) => [name, props.secrets[name]])),
    });
    this.reindexSchedule = new events.Rule(this, 'ReindexSchedule', {
      description: `${reindex.command.join(' ')} (${TOPOLOGY.app} ${props.settings.name})`,
      schedule: events.Schedule.expression(reindex.schedule),
    });
    this.reindexSchedule.addTarget(
      new targets.EcsTask({
        cluster: props.cluster,
        taskDefinition: this.reindexTask,
        launchType: ecs.LaunchType.FARGATE,
        subnetSelection: PRIVATE_SUBNETS,
        securityGroups: [props.reindexSecurityGroup],
        assignPublicIp: false,
        retryAttempts: 1,
      }),
    );

    // The migration tool reads only the Chroma settings; production mode would also demand Cognito's.
    this.migrationTask = this.taskDefinition('Migration', props, {
      image: props.migrationImage,
      command: [...migration.command, props.chromaUrl],
      environment: { NODE_ENV: 'development', [TOPOLOGY.env.chromaHost]: props.chromaUrl },
      secrets: {},
      cpu: 1024,
      memory: 4096,
    });
  }

  private taskDefinition(
    id: string,
    props: JobsProps,
    container: {
      image: ecs.ContainerImage;
      command: string[];
      environment: Record<string, string>;
      secrets: Record<string, ecs.Secret>;
      cpu?: number;
      memory?: number;
    },
  ): ecs.FargateTaskDefinition {
    const task = new ecs.FargateTaskDefinition(this, id, {
      cpu: container.cpu ?? TOPOLOGY.api.cpu,
      memoryLimitMiB: container.memory ?? TOPOLOGY.api.memory,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    task.addContainer(id.toLowerCase(), {
      image: container.image,
      command: container.command,
      environment: container.environment,
      secrets: container.secrets,
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: id.toLowerCase(),
        logGroup: new logs.LogGroup(this, `${id}Logs`, { retention: props.settings.logRetention }),
      }),
    });
    return task;
  }
}
