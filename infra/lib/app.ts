import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgeEnvironmentFindings, acknowledgeSharedFindings } from './nag';
import { RagApiStack } from './rag-api-stack';
import { settingsFor, type EnvironmentName } from './settings';
import { SharedStack } from './shared-stack';
import { TOPOLOGY } from './topology';

export const ENVIRONMENTS: EnvironmentName[] = ['staging', 'prod'];
/** The repository the deploy workflow runs in; `-c githubRepository=owner/name` sets yours. */
export const DEFAULT_GITHUB_REPOSITORY = 'example-org/rag-chroma-api';

export interface RagApiApp {
  app: App;
  shared: SharedStack;
  environments: Record<EnvironmentName, RagApiStack>;
}

/** Every stack of the app, with the AwsSolutions checks applied to all of them. */
export function buildApp(app: App = new App()): RagApiApp {
  const base = settingsFor('staging', app.node);
  const env = { account: base.account, region: base.region };
  const githubRepository =
    (app.node.tryGetContext('githubRepository') as string | undefined) ?? DEFAULT_GITHUB_REPOSITORY;
  const shared = new SharedStack(app, 'RagApi-shared', {
    env,
    githubRepository,
    environments: ENVIRONMENTS,
  });
  acknowledgeSharedFindings(shared);

  const environments = {} as Record<EnvironmentName, RagApiStack>;
  for (const name of ENVIRONMENTS) {
    const settings = settingsFor(name, app.node);
    const stack = new RagApiStack(app, `RagApi-${name}`, {
      env: { account: settings.account, region: settings.region },
      settings,
      repositoryName: TOPOLOGY.app,
      description: `rag-api ${name}: API on Fargate behind an ALB, Chroma on EFS, Cognito, backups, alarms`,
    });
    acknowledgeEnvironmentFindings(stack);
    environments[name] = stack;
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, shared, environments };
}
