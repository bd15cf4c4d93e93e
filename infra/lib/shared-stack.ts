import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { EnvironmentName } from './settings';
import { TOPOLOGY } from './topology';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

export interface SharedStackProps extends StackProps {
  /** `owner/name` of the GitHub repository whose workflow deploys. */
  githubRepository: string;
  environments: EnvironmentName[];
}

/**
 * What every environment shares: the API image repository, and the GitHub Actions deploy roles
 * (.github/workflows/deploy.yml), one per GitHub environment, assumable only through GitHub's
 * OIDC provider by a job of that repository running in that environment.
 */
export class SharedStack extends Stack {
  readonly repository: ecr.Repository;
  readonly deployRoles: Record<string, iam.Role> = {};

  constructor(scope: Construct, id: string, props: SharedStackProps) {
    super(scope, id, props);
    this.repository = new ecr.Repository(this, 'ApiRepository', {
      repositoryName: TOPOLOGY.app,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      lifecycleRules: [{ maxImageCount: 200 }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const provider = new iam.OidcProviderNative(this, 'GitHubOidc', {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIds: ['sts.amazonaws.com'],
    });

    for (const environment of props.environments) {
      const role = new iam.Role(this, `DeployRole-${environment}`, {
        roleName: `${TOPOLOGY.app}-github-deploy-${environment}`,
        maxSessionDuration: Duration.hours(2),
        assumedBy: new iam.OpenIdConnectPrincipal(provider, {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
            [`${GITHUB_OIDC_HOST}:sub`]: `repo:${props.githubRepository}:environment:${environment}`,
          },
        }),
      });
      // `cdk deploy` works through the bootstrap roles; the deploy role holds no other power.
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['sts:AssumeRole'],
          resources: [
            `arn:${this.partition}:iam::${this.account}:role/cdk-hnb659fds-*-${this.account}-${this.region}`,
          ],
        }),
      );
      this.repository.grantPullPush(role);
      role.addToPolicy(
        new iam.PolicyStatement({
          // The smoke test's Cognito client credentials (docs/deployment.md).
          actions: ['secretsmanager:GetSecretValue'],
          resources: [
            `arn:${this.partition}:secretsmanager:${this.region}:${this.account}:secret:${TOPOLOGY.app}/${environment}/smoke-??????`,
          ],
        }),
      );
      this.deployRoles[environment] = role;
      new CfnOutput(this, `DeployRoleArn${environment}`, { value: role.roleArn });
    }
    new CfnOutput(this, 'ApiRepositoryUri', { value: this.repository.repositoryUri });
  }
}
