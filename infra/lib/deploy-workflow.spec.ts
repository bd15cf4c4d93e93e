import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readRepoFile, readYaml } from '../../test/support/deploy-files';
import { buildApp, ENVIRONMENTS } from './app';
import { GITHUB_OIDC_HOST } from './shared-stack';

/* eslint-disable @typescript-eslint/no-explicit-any -- parsed YAML is walked structurally */
type Json = Record<string, any>;

const workflow = readYaml<Json>('.github/workflows/deploy.yml');
const perEnvironment = readYaml<Json>('.github/workflows/deploy-environment.yml');
const README_TEST_COMMAND = 'npm ci && npm test';

describe('the GitHub Actions release workflow', () => {
  it('tests with the README command, builds one image, deploys staging, then prod', () => {
    expect(readRepoFile('README.md')).toContain(README_TEST_COMMAND);
    const jobs = workflow.jobs as Json;
    expect(jobs.test.steps.map((step: Json) => step.run).filter(Boolean)).toEqual([
      README_TEST_COMMAND,
    ]);
    expect(jobs.image.needs).toBe('test');
    expect(jobs['deploy-staging']).toMatchObject({
      needs: 'image',
      uses: './.github/workflows/deploy-environment.yml',
      with: { environment: 'staging' },
    });
    expect(jobs['deploy-prod']).toMatchObject({
      needs: 'deploy-staging',
      uses: './.github/workflows/deploy-environment.yml',
      with: { environment: 'prod' },
    });
  });

  it('deploys in the GitHub environment (its approval rule gates prod), then smoke-tests', () => {
    const job = perEnvironment.jobs.deploy as Json;
    expect(job.environment).toBe('${{ inputs.environment }}');
    const names = (job.steps as Json[]).map((step) => step.name ?? step.uses ?? step.run);
    expect(names.indexOf('cdk deploy')).toBeLessThan(names.indexOf('smoke test'));
    const deploy = (job.steps as Json[]).find((step) => step.name === 'cdk deploy')!;
    expect(deploy.run).toContain('ApiImageTag=${{ github.sha }}');
    expect(deploy.run).toContain('CertificateArn=');
    const smoke = (job.steps as Json[]).find((step) => step.name === 'smoke test')!;
    expect(smoke.run).toContain('npm run smoke -- --base-url');
  });

  it('gets AWS credentials only through OIDC, with the deploy role of the job environment', () => {
    expect(perEnvironment.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const text =
      readRepoFile('.github/workflows/deploy.yml') +
      readRepoFile('.github/workflows/deploy-environment.yml');
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/i);
    const roles = [...text.matchAll(/role\/rag-api-github-deploy-([\w${}. ]+)/g)].map((m) => m[1]);
    expect(roles.sort()).toEqual(['${{ inputs.environment }}', 'staging']);
    expect(workflow.jobs.image.environment).toBe('staging');
  });

  it('the deploy roles trust only this repository, in their own GitHub environment', () => {
    const app = new App({ context: { githubRepository: 'acme/rag' } });
    const { shared } = buildApp(app);
    app.synth();
    const roles = Object.values(Template.fromStack(shared).findResources('AWS::IAM::Role'));
    expect(
      roles.map((role: Json) => [
        role.Properties.RoleName,
        role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals,
      ]),
    ).toEqual(
      ENVIRONMENTS.map((environment) => [
        `rag-api-github-deploy-${environment}`,
        {
          [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_HOST}:sub`]: `repo:acme/rag:environment:${environment}`,
        },
      ]),
    );
  });
});
