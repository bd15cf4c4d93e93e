import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from './settings';
import { scopeParts, TOPOLOGY } from './topology';

/**
 * The Cognito side of the API's auth: a user pool with the `rag` resource server and an app client
 * (client-credentials) allowed every scope, or an existing pool imported by id. `environment` is
 * what the API reads (src/config/auth-env.ts).
 */
export class ApiAuth extends Construct {
  readonly environment: Record<string, string>;
  readonly userPool: cognito.IUserPool;

  constructor(scope: Construct, id: string, settings: EnvironmentSettings) {
    super(scope, id);
    if (settings.userPool) {
      this.userPool = cognito.UserPool.fromUserPoolId(
        this,
        'UserPool',
        settings.userPool.userPoolId,
      );
      this.environment = this.environmentOf(
        settings.userPool.userPoolId,
        settings.userPool.clientIds,
      );
      return;
    }

    const pool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${TOPOLOGY.app}-${settings.name}`,
      selfSignUpEnabled: false,
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const [serverId] = new Set(TOPOLOGY.scopes.map((scope) => scopeParts(scope).server));
    const scopes = TOPOLOGY.scopes.map(
      (scope) =>
        new cognito.ResourceServerScope({
          scopeName: scopeParts(scope).name,
          scopeDescription: scope,
        }),
    );
    const server = pool.addResourceServer('ResourceServer', { identifier: serverId, scopes });
    pool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: `${TOPOLOGY.app}-${settings.name}-${settings.account}` },
    });
    const client = pool.addClient('AppClient', {
      userPoolClientName: `${TOPOLOGY.app}-${settings.name}`,
      generateSecret: true,
      oAuth: {
        flows: { clientCredentials: true },
        scopes: scopes.map((scope) => cognito.OAuthScope.resourceServer(server, scope)),
      },
    });
    this.userPool = pool;
    this.environment = this.environmentOf(pool.userPoolId, [client.userPoolClientId]);
  }

  private environmentOf(userPoolId: string, clientIds: string[]): Record<string, string> {
    const names = TOPOLOGY.env.cognito;
    return {
      [names.region]: Stack.of(this).region,
      [names.userPoolId]: userPoolId,
      [names.clientIds]: clientIds.join(','),
    };
  }
}
