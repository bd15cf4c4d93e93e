import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PRIVATE_SUBNETS } from './network';
import type { EnvironmentSettings } from './settings';
import { TOPOLOGY } from './topology';

const { chroma } = TOPOLOGY;

export interface ChromaProps {
  settings: EnvironmentSettings;
  vpc: ec2.IVpc;
  cluster: ecs.Cluster;
  /** Groups of the tasks that call Chroma (API, re-index, migration): the only ones admitted on its port. */
  clients: ec2.ISecurityGroup[];
}

/**
 * Chroma as a single writer: one task, stopped before its replacement starts, on an encrypted EFS
 * access point mounted at the image's data path, over TLS with IAM authorisation. The file system
 * and its backups are retained when the stack goes.
 */
export class ChromaService extends Construct {
  readonly service: ecs.FargateService;
  readonly fileSystem: efs.FileSystem;
  readonly securityGroup: ec2.SecurityGroup;
  readonly backupPlan: backup.BackupPlan;
  /** The URL of Chroma for tasks that are not Service Connect clients (jobs, one-off tasks). */
  readonly discoveryUrl: string;

  constructor(scope: Construct, id: string, { settings, vpc, cluster, clients }: ChromaProps) {
    super(scope, id);
    const name = `${TOPOLOGY.app}-${settings.name}`;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `Chroma tasks; admit ${chroma.port} from the API, re-index and migration tasks only`,
    });
    for (const client of clients) {
      this.securityGroup.addIngressRule(
        client,
        ec2.Port.tcp(chroma.port),
        'Chroma HTTP API from its clients',
      );
    }
    const fileSystemGroup = new ec2.SecurityGroup(this, 'FileSystemSecurityGroup', {
      vpc,
      description: 'Chroma EFS mount targets; admit NFS from the Chroma tasks only',
    });
    fileSystemGroup.addIngressRule(this.securityGroup, ec2.Port.tcp(2049), 'NFS from Chroma tasks');

    this.fileSystem = new efs.FileSystem(this, 'FileSystem', {
      vpc,
      vpcSubnets: PRIVATE_SUBNETS,
      securityGroup: fileSystemGroup,
      encrypted: true,
      performanceMode: efs.PerformanceMode.GENERAL_PURPOSE,
      throughputMode: efs.ThroughputMode.BURSTING,
      // AWS Backup below owns the schedule; EFS automatic backups would only duplicate it.
      enableAutomaticBackups: false,
      allowAnonymousAccess: false,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.fileSystem.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyUnencryptedTransport',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['*'],
        conditions: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    // Chroma's image runs as root; the access point pins that identity and a directory of its own.
    const accessPoint = this.fileSystem.addAccessPoint('Data', {
      path: '/chroma',
      posixUser: { uid: '0', gid: '0' },
      createAcl: { ownerUid: '0', ownerGid: '0', permissions: '750' },
    });

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: chroma.cpu,
      memoryLimitMiB: chroma.memory,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      volumes: [
        {
          name: 'chroma_data',
          efsVolumeConfiguration: {
            fileSystemId: this.fileSystem.fileSystemId,
            transitEncryption: 'ENABLED',
            authorizationConfig: { accessPointId: accessPoint.accessPointId, iam: 'ENABLED' },
          },
        },
      ],
    });
    taskDefinition.addToTaskRolePolicy(
      new iam.PolicyStatement({
        actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        resources: [this.fileSystem.fileSystemArn],
        conditions: {
          StringEquals: { 'elasticfilesystem:AccessPointArn': accessPoint.accessPointArn },
        },
      }),
    );
    const container = taskDefinition.addContainer('chroma', {
      image: ecs.ContainerImage.fromRegistry(chroma.image),
      portMappings: [{ containerPort: chroma.port, name: 'chroma-http' }],
      healthCheck: {
        command: chroma.healthCheck,
        interval: Duration.seconds(10),
        retries: 3,
        timeout: Duration.seconds(5),
        startPeriod: Duration.seconds(30),
      },
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: chroma.service,
        logGroup: new logs.LogGroup(this, 'Logs', { retention: settings.logRetention }),
      }),
    });
    container.addMountPoints({
      sourceVolume: 'chroma_data',
      containerPath: chroma.dataPath,
      readOnly: false,
    });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      serviceName: chroma.service,
      taskDefinition,
      desiredCount: 1,
      // Single writer: the old task stops before the new one starts, never two on the same files.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: PRIVATE_SUBNETS,
      securityGroups: [this.securityGroup],
      assignPublicIp: false,
      // Service Connect clients (the API) resolve chroma:8000, as in compose.
      serviceConnectConfiguration: {
        services: [{ portMappingName: 'chroma-http', dnsName: chroma.service, port: chroma.port }],
      },
      // Jobs and one-off tasks are not Service Connect clients: they use the DNS name.
      cloudMapOptions: { name: chroma.service, container, containerPort: chroma.port },
    });
    this.discoveryUrl = `http://${chroma.service}.${cluster.defaultCloudMapNamespace!.namespaceName}:${chroma.port}`;

    const vault = new backup.BackupVault(this, 'BackupVault', {
      backupVaultName: `${name}-chroma`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.backupPlan = new backup.BackupPlan(this, 'BackupPlan', {
      backupPlanName: `${name}-chroma`,
      backupVault: vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'daily',
          scheduleExpression: events.Schedule.cron({ minute: '0', hour: '3' }),
          startWindow: Duration.minutes(60),
          completionWindow: Duration.hours(6),
          deleteAfter: Duration.days(settings.backupRetentionDays),
        }),
      ],
    });
    this.backupPlan.addSelection('FileSystem', {
      backupSelectionName: 'chroma-efs',
      resources: [backup.BackupResource.fromEfsFileSystem(this.fileSystem)],
    });
  }
}
