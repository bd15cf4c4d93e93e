import { CfnOutput, CfnParameter, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import type { Construct } from 'constructs';
import { ApiService } from './api';
import { ApiAuth } from './auth';
import { ChromaService } from './chroma';
import { ApiJobs } from './jobs';
import { Monitoring } from './monitoring';
import { vpcFor } from './network';
import type { EnvironmentSettings } from './settings';
import { modelKeysSecretName, TOPOLOGY } from './topology';

export interface RagApiStackProps extends StackProps {
  settings: EnvironmentSettings;
  /** The ECR repository the pipeline pushes the API image to (RagApi-shared). */
  repositoryName: string;
}

/** One environment (staging or prod) of the topology compose and Copilot describe. */
export class RagApiStack extends Stack {
  readonly cluster: ecs.Cluster;
  readonly chroma: ChromaService;
  readonly api: ApiService;
  readonly jobs: ApiJobs;
  readonly securityGroups: Record<'api' | 'reindex' | 'migration', ec2.SecurityGroup>;
  private readonly zones?: string[];

  constructor(scope: Construct, id: string, props: RagApiStackProps) {
    super(scope, id, props);
    const { settings } = props;
    this.zones = settings.availabilityZones;
    const certificateArn = new CfnParameter(this, 'CertificateArn', {
      description: `A validated ACM certificate in this region covering ${settings.apiDomain}`,
      allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$',
    });
    const imageTag = new CfnParameter(this, 'ApiImageTag', {
      description: `Tag of the API image in the ${props.repositoryName} ECR repository (the pipeline passes the commit)`,
      minLength: 1,
    });

    const vpc = vpcFor(this, settings);
    const cluster = (this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      clusterName: `${TOPOLOGY.app}-${settings.name}`,
      // RunningTaskCount, used by the Chroma not-running alarm, is a Container Insights metric.
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      defaultCloudMapNamespace: {
        name: `${settings.name}.${TOPOLOGY.app}.internal`,
        type: servicediscovery.NamespaceType.DNS_PRIVATE,
        useForServiceConnect: true,
      },
    }));

    const clientGroup = (groupId: string, description: string) =>
      new ec2.SecurityGroup(this, groupId, { vpc, description });
    const apiGroup = clientGroup('ApiSecurityGroup', 'API tasks (a Chroma client)');
    const reindexGroup = clientGroup('ReindexSecurityGroup', 'Re-index tasks (a Chroma client)');
    const migrationGroup = clientGroup(
      'MigrationSecurityGroup',
      'One-off migration tasks (a Chroma client)',
    );

    const chroma = (this.chroma = new ChromaService(this, 'Chroma', {
      settings,
      vpc,
      cluster,
      clients: [apiGroup, reindexGroup, migrationGroup],
    }));
    this.securityGroups = { api: apiGroup, reindex: reindexGroup, migration: migrationGroup };

    const repository = ecr.Repository.fromRepositoryName(
      this,
      'ApiRepository',
      props.repositoryName,
    );
    const apiImage = ecs.ContainerImage.fromEcrRepository(repository, imageTag.valueAsString);
    const modelKeys = secretsmanager.Secret.fromSecretNameV2(
      this,
      'ModelKeys',
      modelKeysSecretName(settings.name),
    );
    const secrets = Object.fromEntries(
      Object.entries(TOPOLOGY.modelKeys.fields).map(([name, field]) => [
        name,
        ecs.Secret.fromSecretsManager(modelKeys, field),
      ]),
    );
    const auth = new ApiAuth(this, 'Auth', settings);

    const api = (this.api = new ApiService(this, 'Api', {
      settings,
      vpc,
      cluster,
      securityGroup: apiGroup,
      image: apiImage,
      certificateArn: certificateArn.valueAsString,
      environment: auth.environment,
      secrets,
    }));
    // The API resolves chroma:8000 only once Chroma's Service Connect endpoint exists.
    api.service.node.addDependency(chroma.service);

    const jobs = (this.jobs = new ApiJobs(this, 'Jobs', {
      settings,
      cluster,
      apiImage,
      migrationImage: settings.migrationImageTag
        ? ecs.ContainerImage.fromEcrRepository(repository, settings.migrationImageTag)
        : apiImage,
      reindexSecurityGroup: reindexGroup,
      migrationSecurityGroup: migrationGroup,
      chromaUrl: chroma.discoveryUrl,
      environment: { NODE_ENV: TOPOLOGY.api.environment.NODE_ENV, ...auth.environment },
      secrets,
    }));

    new Monitoring(this, 'Monitoring', {
      settings,
      cluster,
      api: api.service,
      apiTargetGroup: api.targetGroup,
      chroma: chroma.service,
      fileSystem: chroma.fileSystem,
    });

    const outputs: Record<string, [string, string]> = {
      LoadBalancerDnsName: [
        api.loadBalancer.loadBalancerDnsName,
        `Point ${settings.apiDomain} here (CNAME or alias)`,
      ],
      ClusterName: [cluster.clusterName, 'aws ecs run-task --cluster'],
      PrivateSubnets: [
        vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds.join(','),
        'aws ecs run-task: awsvpcConfiguration subnets',
      ],
      MigrationTaskDefinition: [jobs.migrationTask.taskDefinitionArn, 'The runbook migration task'],
      MigrationSecurityGroupId: [
        migrationGroup.securityGroupId,
        'The migration task security group',
      ],
      ChromaUrl: [chroma.discoveryUrl, 'Chroma for tasks that are not Service Connect clients'],
      ChromaFileSystemId: [chroma.fileSystem.fileSystemId, 'Retained when the stack is deleted'],
      UserPoolId: [auth.userPool.userPoolId, 'Cognito user pool the API trusts'],
    };
    for (const [name, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, name, { value, description });
    }
  }

  /**
   * The context's zones, else the region's first two resolved at deploy time (Fn::GetAZs): synth
   * needs no account lookup, and no zone name is hard-coded in the template.
   */
  override get availabilityZones(): string[] {
    return this.zones ?? [0, 1].map((index) => Fn.select(index, Fn.getAzs()));
  }
}
