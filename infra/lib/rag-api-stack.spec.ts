import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';
import { findSecrets, readRepoFile, readYaml } from '../../test/support/deploy-files';
import { buildApp, type RagApiApp } from './app';
import type { RagApiStack } from './rag-api-stack';
import { TOPOLOGY } from './topology';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized templates are walked structurally */
type Json = Record<string, any>;

const logicalId = (construct: IConstruct): string =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
const resourcesOf = (template: Template, type: string): [string, Json][] =>
  Object.entries(template.findResources(type));
const containerOf = (template: Template, taskDefinition: IConstruct): Json =>
  template.toJSON().Resources[logicalId(taskDefinition)].Properties.ContainerDefinitions[0];

// One synthesis of the whole app, cdk-nag included, shared by every test below.
let built: RagApiApp;
let templates: Record<'staging' | 'prod', Template>;
beforeAll(() => {
  built = buildApp(new App());
  built.app.synth();
  templates = {
    staging: Template.fromStack(built.environments.staging),
    prod: Template.fromStack(built.environments.prod),
  };
});

describe.each(['staging', 'prod'] as const)('the %s stack', (name) => {
  let stack: RagApiStack;
  let template: Template;
  beforeAll(() => {
    stack = built.environments[name];
    template = templates[name];
  });

  it('admits Chroma 8000 only from the API, re-index and migration groups, and EFS 2049 only from Chroma', () => {
    const chromaGroup = logicalId(stack.chroma.securityGroup);
    const fileSystemGroup = logicalId(stack.chroma.fileSystem.connections.securityGroups[0]);
    const ingress = (groupId: string) => [
      ...resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')
        .map(([, resource]) => resource.Properties as Json)
        .filter((rule) => rule.GroupId?.['Fn::GetAtt']?.[0] === groupId),
      ...(template.toJSON().Resources[groupId].Properties.SecurityGroupIngress ?? []),
    ];
    const clients = Object.values(stack.securityGroups).map(logicalId).sort();
    expect(
      ingress(chromaGroup)
        .map((rule) => [rule.FromPort, rule.ToPort, rule.SourceSecurityGroupId['Fn::GetAtt'][0]])
        .sort(),
    ).toEqual(clients.map((client) => [TOPOLOGY.chroma.port, TOPOLOGY.chroma.port, client]).sort());
    expect(
      ingress(fileSystemGroup).map((rule) => [
        rule.FromPort,
        rule.ToPort,
        rule.SourceSecurityGroupId['Fn::GetAtt'][0],
      ]),
    ).toEqual([[2049, 2049, chromaGroup]]);
  });

  it('mounts the EFS access point at the image data path, encrypted in transit with IAM authorisation', () => {
    const chroma = containerOf(template, stack.chroma.service.taskDefinition);
    expect(chroma.Image).toBe(TOPOLOGY.chroma.image);
    expect(chroma.MountPoints).toEqual([
      { ContainerPath: TOPOLOGY.chroma.dataPath, ReadOnly: false, SourceVolume: 'chroma_data' },
    ]);
    const [volume] = template.toJSON().Resources[logicalId(stack.chroma.service.taskDefinition)]
      .Properties.Volumes as Json[];
    expect(volume.EFSVolumeConfiguration).toEqual({
      FilesystemId: { Ref: logicalId(stack.chroma.fileSystem) },
      TransitEncryption: 'ENABLED',
      AuthorizationConfig: { AccessPointId: expect.any(Object), IAM: 'ENABLED' },
    });
    template.hasResource('AWS::EFS::FileSystem', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        Encrypted: true,
        FileSystemPolicy: Match.objectLike({
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        }),
      }),
    });
  });

  it('runs exactly one Chroma task and stops it before its replacement starts', () => {
    const service = template.toJSON().Resources[logicalId(stack.chroma.service)].Properties;
    expect(service.DesiredCount).toBe(1);
    expect(service.DeploymentConfiguration).toMatchObject({
      MinimumHealthyPercent: 0,
      MaximumPercent: 100,
    });
    const scaled = resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalableTarget').map(
      ([, target]) => JSON.stringify(target.Properties.ResourceId),
    );
    expect(scaled).toHaveLength(1);
    expect(scaled[0]).toContain(logicalId(stack.api.service));
  });

  it('checks health where compose and Copilot do: the ALB on liveness, containers on their probes', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/health/live',
      Matcher: { HttpCode: '200' },
    });
    expect(containerOf(template, stack.api.service.taskDefinition).HealthCheck.Command).toEqual(
      TOPOLOGY.api.healthCheck,
    );
    expect(containerOf(template, stack.chroma.service.taskDefinition).HealthCheck.Command).toEqual(
      TOPOLOGY.chroma.healthCheck,
    );
  });

  it('serves HTTPS with the certificate parameter and redirects HTTP', () => {
    template.hasParameter('CertificateArn', { Type: 'String' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: { Ref: 'CertificateArn' } }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [
        Match.objectLike({
          Type: 'redirect',
          RedirectConfig: Match.objectLike({ Port: '443', Protocol: 'HTTPS' }),
        }),
      ],
    });
  });

  it('scales the API on CPU and memory and rolls back a failing deployment', () => {
    const metrics = resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(
      ([, policy]) => {
        const config = policy.Properties.TargetTrackingScalingPolicyConfiguration as Json;
        return [config.PredefinedMetricSpecification.PredefinedMetricType, config.TargetValue];
      },
    );
    expect(metrics.sort()).toEqual([
      ['ECSServiceAverageCPUUtilization', TOPOLOGY.api.scaling.cpuPercent],
      ['ECSServiceAverageMemoryUtilization', TOPOLOGY.api.scaling.memoryPercent],
    ]);
    for (const service of [stack.api.service, stack.chroma.service]) {
      expect(
        template.toJSON().Resources[logicalId(service)].Properties.DeploymentConfiguration
          .DeploymentCircuitBreaker,
      ).toEqual({ Enable: true, Rollback: true });
    }
  });

  it('passes model keys only as Secrets Manager references, never as plaintext environment', () => {
    const keyNames = Object.keys(TOPOLOGY.modelKeys.fields);
    const containers = resourcesOf(template, 'AWS::ECS::TaskDefinition').flatMap(
      ([, task]) => task.Properties.ContainerDefinitions as Json[],
    );
    for (const container of containers) {
      for (const { Name, Value } of (container.Environment ?? []) as Json[]) {
        expect([Name, keyNames.includes(Name as string)]).toEqual([Name, false]);
        expect([Name, findSecrets(`${Name}=${JSON.stringify(Value)}`)]).toEqual([Name, []]);
      }
    }
    const api = containerOf(template, stack.api.service.taskDefinition);
    expect((api.Secrets as Json[]).map((secret) => secret.Name).sort()).toEqual(keyNames.sort());
    for (const secret of api.Secrets as Json[]) {
      const field = (TOPOLOGY.modelKeys.fields as Record<string, string>)[secret.Name as string];
      expect(JSON.stringify(secret.ValueFrom)).toContain(`:${field}::`);
      expect(JSON.stringify(secret.ValueFrom)).toContain(`${TOPOLOGY.app}/${name}/openai`);
    }
  });

  it('wires the Cognito pool, its rag scopes and the app client into the API environment', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'rag',
      Scopes: TOPOLOGY.scopes.map((scope) => ({
        ScopeName: scope.split('/')[1],
        ScopeDescription: scope,
      })),
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['client_credentials'],
      GenerateSecret: true,
    });
    const environment = Object.fromEntries(
      (containerOf(template, stack.api.service.taskDefinition).Environment as Json[]).map((e) => [
        e.Name,
        e.Value,
      ]),
    );
    const [pool] = resourcesOf(template, 'AWS::Cognito::UserPool').map(([id]) => id);
    const [client] = resourcesOf(template, 'AWS::Cognito::UserPoolClient').map(([id]) => id);
    expect(environment).toMatchObject({
      COGNITO_USER_POOL_ID: { Ref: pool },
      COGNITO_CLIENT_IDS: { Ref: client },
      COGNITO_REGION: 'eu-west-1',
      CHROMA_HOST: `http://${TOPOLOGY.chroma.service}:${TOPOLOGY.chroma.port}`,
      ...TOPOLOGY.api.environment,
    });
  });

  it('backs the file system up daily with AWS Backup', () => {
    const [[, selection]] = resourcesOf(template, 'AWS::Backup::BackupSelection');
    expect(JSON.stringify(selection.Properties.BackupSelection.Resources)).toContain(
      logicalId(stack.chroma.fileSystem),
    );
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: Match.objectLike({
        BackupPlanRule: [
          Match.objectLike({
            ScheduleExpression: 'cron(0 3 * * ? *)',
            Lifecycle: { DeleteAfterDays: name === 'prod' ? 35 : 7 },
          }),
        ],
      }),
    });
  });

  it('has the alarms the Copilot addons define, under the same names, and a dashboard', () => {
    const addonAlarmNames = [
      ['copilot/api/addons/alarms.yml', TOPOLOGY.api.service],
      ['copilot/chroma/addons/alarms.yml', TOPOLOGY.chroma.service],
      ['copilot/environments/addons/chroma-storage.yml', ''],
    ].flatMap(([path, service]) =>
      Object.values(readYaml<Json>(path).Resources as Json)
        .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm')
        .map((alarm) =>
          (alarm.Properties.AlarmName['Fn::Sub'] as string)
            .replace('${App}', TOPOLOGY.app)
            .replace('${Env}', name)
            .replace('${Name}', service),
        ),
    );
    const alarmNames = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(
      ([, alarm]) => alarm.Properties.AlarmName as string,
    );
    expect(alarmNames.sort()).toEqual(addonAlarmNames.sort());
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('keeps every log group for a bounded time', () => {
    const groups = resourcesOf(template, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(5);
    for (const [id, group] of groups) {
      expect([id, group.Properties.RetentionInDays]).toEqual([id, name === 'prod' ? 90 : 30]);
    }
  });

  it('schedules the re-index of the Copilot job and defines the runbook migration task', () => {
    const job = readYaml<Json>('copilot/reindex/manifest.yml');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: job.on.schedule,
      Targets: [Match.objectLike({ EcsParameters: Match.objectLike({ LaunchType: 'FARGATE' }) })],
    });
    expect(containerOf(template, stack.jobs.reindexTask).Command).toEqual(job.command);
    const migration = containerOf(template, stack.jobs.migrationTask).Command as string[];
    expect(readRepoFile('docs/deployment.md')).toContain(migration.slice(0, -1).join(' '));
    expect(migration.at(-1)).toBe(stack.chroma.discoveryUrl);
  });

  it('runs tasks on private subnets with the Service Connect namespace of the cluster', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ServiceConnectDefaults: { Namespace: Match.anyValue() },
    });
    for (const [, service] of resourcesOf(template, 'AWS::ECS::Service')) {
      expect(service.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe(
        'DISABLED',
      );
      expect(service.Properties.ServiceConnectConfiguration.Enabled).toBe(true);
    }
  });
});

describe('imported VPC and user pool', () => {
  it('uses the given VPC and Cognito pool instead of creating them', () => {
    const app = new App({
      context: {
        'staging:vpcId': 'vpc-0123456789abcdef0',
        'staging:availabilityZones': 'eu-west-1a,eu-west-1b',
        'staging:publicSubnetIds': 'subnet-0aaaaaaaaaaaaaaa1,subnet-0aaaaaaaaaaaaaaa2',
        'staging:privateSubnetIds': 'subnet-0bbbbbbbbbbbbbbb1,subnet-0bbbbbbbbbbbbbbb2',
        'staging:userPoolId': 'eu-west-1_Example',
        'staging:userPoolClientIds': 'client-a,client-b',
      },
    });
    const { environments } = buildApp(app);
    app.synth();
    const template = Template.fromStack(environments.staging);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.hasResourceProperties('AWS::EFS::MountTarget', {
      SubnetId: 'subnet-0bbbbbbbbbbbbbbb1',
    });
    const environment = Object.fromEntries(
      (
        containerOf(template, environments.staging.api.service.taskDefinition).Environment as Json[]
      ).map((e) => [e.Name, e.Value]),
    );
    expect(environment).toMatchObject({
      COGNITO_USER_POOL_ID: 'eu-west-1_Example',
      COGNITO_CLIENT_IDS: 'client-a,client-b',
    });
  });
});

describe('cdk-nag', () => {
  it('reports no unacknowledged AwsSolutions finding (the synth above would have thrown)', () => {
    expect(Object.keys(built.environments)).toEqual(['staging', 'prod']);
  });

  it('fails the synth on a finding nobody acknowledged', () => {
    const app = new App();
    const { environments } = buildApp(app);
    new sns.Topic(environments.staging, 'UnencryptedTopic');
    expect(() => app.synth()).toThrow(/AwsSolutions-SNS3/);
  });
});
