import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { RagApiStack } from './rag-api-stack';

/** An accepted cdk-nag finding: its id (`Rule[finding]` for rules with several) and why. */
interface Acknowledgement {
  id: string;
  reason: string;
}

/**
 * The AwsSolutions findings an environment stack accepts, each with its reason. Anything else the
 * pack reports fails `app.synth()`, so `npm run infra:synth` and the tests.
 */
const environment = (stack: RagApiStack): Acknowledgement[] => [
  {
    id: 'AwsSolutions-EC23',
    reason:
      'The public load balancer admits 80 and 443 from anywhere: it serves the API to the internet, and 80 only redirects to 443.',
  },
  {
    id: 'AwsSolutions-ECS2',
    reason:
      'Environment variables hold plain settings (NODE_ENV, CHROMA_HOST, Cognito ids); the model API keys come from Secrets Manager, which a test checks.',
  },
  {
    id: 'AwsSolutions-S1',
    reason:
      'The bucket holds the load balancer access logs; logging access to the log bucket itself would only recurse.',
  },
  {
    id: 'AwsSolutions-COG3',
    reason:
      'Cognito threat protection (Plus feature plan) buys nothing here: no user signs in, machine clients use client credentials only.',
  },
  {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'ecr:GetAuthorizationToken (task execution roles) has no resource-level permission; CDK grants it on *.',
  },
  {
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:${stack.region}:*:task/<${stack.getLogicalId(stack.cluster.node.defaultChild as CfnElement)}>/*]`,
    reason:
      'The EventBridge role of the re-index schedule may tag the tasks it starts in this cluster; their ids are not known in advance.',
  },
  {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
    reason:
      'The AWS Backup selection role uses the AWS managed backup policy, which AWS keeps current as services add backup APIs (as the Copilot addon does).',
  },
  {
    id: 'AwsSolutions-COG8',
    reason:
      'The Plus feature plan protects interactive sign-ins; this pool has none, only client-credentials clients.',
  },
];

/** What the shared stack (image repository, GitHub deploy roles) accepts. */
const shared = (stack: Stack): Acknowledgement[] => [
  {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ecr:GetAuthorizationToken (the image push) has no resource-level permission.',
  },
  {
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::${stack.account}:role/cdk-hnb659fds-*-${stack.account}-${stack.region}]`,
    reason:
      'The deploy roles may assume the CDK bootstrap roles of this account and region (cdk-hnb659fds-*), which `cdk deploy` works through.',
  },
];

function acknowledge(scope: IConstruct, acknowledgements: Acknowledgement[]): void {
  for (const acknowledgement of acknowledgements)
    Validations.of(scope).acknowledge(acknowledgement);
}

export const acknowledgeEnvironmentFindings = (stack: RagApiStack): void =>
  acknowledge(stack, environment(stack));
export const acknowledgeSharedFindings = (stack: Stack): void => acknowledge(stack, shared(stack));
