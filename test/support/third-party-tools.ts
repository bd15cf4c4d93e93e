/**
 * How Copilot and docker-compose treat our files, pinned from their sources. Re-read the cited
 * files when the pinned CLI versions change.
 */

/** aws/copilot-cli at 4c858e7 (2024-03-25), internal/pkg/template/templates/cicd. */
export const COPILOT_PIPELINE = {
  sources: [
    'partials/test.yml: BuildTestCommands<Stage> (a stage`s test_commands) has ServiceRole: !GetAtt BuildProjectRole.Arn',
    'partials/build-action.yml: build.additional_policy becomes BuildProjectAdditionalPolicy with Roles: [BuildProjectRole]',
    'partials/role-policy-document.yml, role-config.yml: the role`s own grants (CodeBuild reports, artifact S3/KMS, logs, ECR, SSM and CloudFormation read-only); no secretsmanager',
    'site/content/docs/manifest/pipeline.en.md: stages[].deployments.<name>.depends_on; with `deployments` only the listed workloads are deployed',
  ],
  /** The role that runs test_commands, and the one build.additional_policy is attached to. */
  testCommandsRole: 'BuildProjectRole',
  additionalPolicyRole: 'BuildProjectRole',
};

/**
 * `copilot task run` flags (aws/copilot-cli site/content/docs/commands/task-run.en.md, "What are
 * the flags?"). There is no `--name`: the group name is `--task-group-name` / `-n`.
 */
export const COPILOT_TASK_RUN_FLAGS = [
  'task-group-name',
  'n',
  'build-context',
  'dockerfile',
  'image',
  'i',
  'tag',
  'app',
  'cluster',
  'default',
  'env',
  'security-groups',
  'subnets',
  'acknowledge-secrets-access',
  'command',
  'count',
  'cpu',
  'entrypoint',
  'env-file',
  'env-vars',
  'execution-role',
  'memory',
  'platform-arch',
  'platform-os',
  'resource-tags',
  'secrets',
  'task-role',
  'follow',
  'generate-cmd',
];

/**
 * Top-level keys docker-compose 1.29 accepts: docker/compose@1.29.2
 * compose/config/compose_spec.json has `properties` version, services, networks, volumes,
 * secrets, configs, `patternProperties` ^x-, and `additionalProperties: false` (so no `name`).
 */
export const COMPOSE_1_29_TOP_LEVEL = /^(version|services|networks|volumes|secrets|configs|x-.*)$/;
