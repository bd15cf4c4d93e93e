import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { EnvironmentSettings } from './settings';

/**
 * The VPC every task runs in, on private subnets: an existing one when the settings name it, else
 * a new one with NAT (the model APIs are on the internet) and endpoints for ECR, Secrets Manager,
 * CloudWatch Logs and S3, so image pulls, secrets and logs stay off the NAT.
 */
export function vpcFor(scope: Construct, settings: EnvironmentSettings): ec2.IVpc {
  if (settings.vpc) return ec2.Vpc.fromVpcAttributes(scope, 'Vpc', settings.vpc);

  const vpc = new ec2.Vpc(scope, 'Vpc', {
    maxAzs: 2,
    natGateways: settings.natGateways,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
    ],
    gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
  });
  vpc.addFlowLog('FlowLog', {
    destination: ec2.FlowLogDestination.toCloudWatchLogs(
      new logs.LogGroup(scope, 'FlowLogs', { retention: settings.logRetention }),
    ),
  });
  const endpoints = {
    Ecr: ec2.InterfaceVpcEndpointAwsService.ECR,
    EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
    SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  };
  for (const [id, service] of Object.entries(endpoints)) {
    vpc.addInterfaceEndpoint(id, {
      service,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    });
  }
  return vpc;
}

export const PRIVATE_SUBNETS: ec2.SubnetSelection = {
  subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS,
};
