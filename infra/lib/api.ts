import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PRIVATE_SUBNETS } from './network';
import type { EnvironmentSettings } from './settings';
import { TOPOLOGY } from './topology';

const { api, chroma } = TOPOLOGY;

export interface ApiProps {
  settings: EnvironmentSettings;
  vpc: ec2.IVpc;
  cluster: ecs.Cluster;
  securityGroup: ec2.ISecurityGroup;
  image: ecs.ContainerImage;
  certificateArn: string;
  /** Plain settings (Cognito ids and the like); never secrets. */
  environment: Record<string, string>;
  secrets: Record<string, ecs.Secret>;
}

/**
 * The API behind a public ALB: HTTPS only (HTTP answers with a redirect), the target group checks
 * liveness so a Chroma outage never gets every API task replaced, autoscaling on CPU and memory,
 * and the deployment circuit breaker rolls a failing release back.
 */
export class ApiService extends Construct {
  readonly service: ecs.FargateService;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { settings, vpc, cluster } = props;

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: api.cpu,
      memoryLimitMiB: api.memory,
      // The pinned chromadb native binding is linux-x64-gnu.
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    taskDefinition.addContainer(api.service, {
      image: props.image,
      portMappings: [{ containerPort: api.port, name: api.service }],
      environment: {
        ...api.environment,
        PORT: String(api.port),
        // Service Connect publishes Chroma under the same name and port as compose.
        [TOPOLOGY.env.chromaHost]: `http://${chroma.service}:${chroma.port}`,
        ...props.environment,
      },
      secrets: props.secrets,
      healthCheck: {
        command: api.healthCheck,
        interval: Duration.seconds(15),
        retries: 3,
        timeout: Duration.seconds(5),
        startPeriod: Duration.seconds(30),
      },
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: api.service,
        logGroup: new logs.LogGroup(this, 'Logs', { retention: settings.logRetention }),
      }),
    });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      serviceName: api.service,
      taskDefinition,
      desiredCount: settings.apiTasks.min,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(60),
      vpcSubnets: PRIVATE_SUBNETS,
      securityGroups: [props.securityGroup],
      assignPublicIp: false,
      serviceConnectConfiguration: {},
    });
    const scaling = this.service.autoScaleTaskCount({
      minCapacity: settings.apiTasks.min,
      maxCapacity: settings.apiTasks.max,
    });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: api.scaling.cpuPercent });
    scaling.scaleOnMemoryUtilization('Memory', {
      targetUtilizationPercent: api.scaling.memoryPercent,
    });

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(accessLogs);
    this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });
    const https = this.loadBalancer.addListener('Https', {
      port: 443,
      certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    });
    // A child of the service construct, not of the listener: the service's dependency on the
    // listener then does not repeat its reference to the target group (cfn-lint W3005).
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'Targets', {
      vpc,
      port: api.port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: api.livenessPath,
        healthyHttpCodes: '200',
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
      },
    });
    https.addTargetGroups('Api', { targetGroups: [this.targetGroup] });
    this.service.attachToApplicationTargetGroup(this.targetGroup);
  }
}
