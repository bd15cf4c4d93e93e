import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from './settings';
import { TOPOLOGY } from './topology';

export interface MonitoringProps {
  settings: EnvironmentSettings;
  cluster: ecs.Cluster;
  api: ecs.FargateService;
  apiTargetGroup: elbv2.ApplicationTargetGroup;
  chroma: ecs.FargateService;
  fileSystem: efs.IFileSystem;
}

/**
 * The alarms the Copilot addons define (copilot/api/addons, copilot/chroma/addons,
 * copilot/environments/addons), under the same names, on one SNS topic; and a dashboard.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const prefix = `${TOPOLOGY.app}-${props.settings.name}`;
    const key = new kms.Key(this, 'TopicKey', {
      description: `${prefix} alarm topic`,
      enableKeyRotation: true,
    });
    // CloudWatch alarms and the EventBridge rule publish to the encrypted topic.
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      key.grant(new iam.ServicePrincipal(service), 'kms:Decrypt', 'kms:GenerateDataKey*');
    }
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      topicName: `${prefix}-alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    const notify = new actions.SnsAction(this.topic);

    const alarm = (
      name: string,
      metric: cloudwatch.IMetric,
      options: Omit<cloudwatch.AlarmProps, 'metric'>,
      notifyOk = true,
    ): void => {
      const created = new cloudwatch.Alarm(this, name, { ...options, metric });
      created.addAlarmAction(notify);
      if (notifyOk) created.addOkAction(notify);
      this.alarms.push(created);
    };

    alarm(
      'Api5xx',
      props.apiTargetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      {
        alarmName: `${prefix}-${TOPOLOGY.api.service}-5xx`,
        alarmDescription:
          'The API answered more than 10 5xx responses in each of 2 consecutive 5-minute periods.',
        threshold: 10,
        evaluationPeriods: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    const chromaRunning = new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensionsMap: {
        ClusterName: props.cluster.clusterName,
        ServiceName: props.chroma.serviceName,
      },
      statistic: 'Minimum',
      period: Duration.minutes(1),
    });
    alarm('ChromaNotRunning', chromaRunning, {
      alarmName: `${prefix}-${TOPOLOGY.chroma.service}-not-running`,
      alarmDescription: 'No Chroma task has been running for 3 minutes (needs Container Insights).',
      threshold: 1,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    // Every stopped Chroma task matches this rule; its TriggeredRules metric counts restarts.
    const stopped = new events.Rule(this, 'ChromaTaskStopped', {
      description: 'A Chroma task stopped.',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: { lastStatus: ['STOPPED'], group: [`service:${props.chroma.serviceName}`] },
      },
      targets: [new targets.SnsTopic(this.topic)],
    });
    alarm(
      'ChromaRestarts',
      new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'TriggeredRules',
        dimensionsMap: { RuleName: stopped.ruleName },
        statistic: 'Sum',
        period: Duration.minutes(15),
      }),
      {
        alarmName: `${prefix}-${TOPOLOGY.chroma.service}-restarts`,
        alarmDescription:
          'Chroma tasks stopped at least twice within 15 minutes (crash loop or EFS trouble).',
        threshold: 2,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
      // As in Copilot: a restart count has no "recovered" moment worth a message.
      false,
    );
    const efsMetric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/EFS',
        metricName,
        dimensionsMap: { FileSystemId: props.fileSystem.fileSystemId },
        statistic,
        period: Duration.minutes(5),
      });
    alarm('EfsBurstCredits', efsMetric('BurstCreditBalance', 'Minimum'), {
      alarmName: `${prefix}-chroma-efs-burst-credits`,
      alarmDescription: 'EFS burst credits are running out; throughput will drop to the baseline.',
      // 100 GiB of credits left.
      threshold: 100 * 1024 ** 3,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('EfsIoLimit', efsMetric('PercentIOLimit', 'Maximum'), {
      alarmName: `${prefix}-chroma-efs-io-limit`,
      alarmDescription: 'The Chroma file system is near the general-purpose I/O limit.',
      threshold: 90,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: prefix });
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API requests and 5xx',
        left: [props.apiTargetGroup.metrics.requestCount()],
        right: [props.apiTargetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT)],
      }),
      new cloudwatch.GraphWidget({
        title: 'API response time',
        left: [props.apiTargetGroup.metrics.targetResponseTime({ statistic: 'p99' })],
      }),
      new cloudwatch.GraphWidget({
        title: 'API CPU and memory',
        left: [props.api.metricCpuUtilization(), props.api.metricMemoryUtilization()],
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Chroma running tasks', left: [chromaRunning] }),
      new cloudwatch.GraphWidget({
        title: 'Chroma CPU and memory',
        left: [props.chroma.metricCpuUtilization(), props.chroma.metricMemoryUtilization()],
      }),
      new cloudwatch.GraphWidget({
        title: 'Chroma EFS',
        left: [efsMetric('PercentIOLimit', 'Maximum')],
        right: [efsMetric('BurstCreditBalance', 'Minimum')],
      }),
    );
  }
}
