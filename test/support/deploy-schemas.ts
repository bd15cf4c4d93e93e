import Ajv, { type ValidateFunction } from 'ajv';

/**
 * JSON schemas for the Copilot manifest fields this repository uses, written from the Copilot
 * manifest reference (aws/copilot-cli site/content/docs/manifest). Unknown top-level fields are
 * rejected so a typo fails here instead of at `copilot deploy`.
 */
const duration = { type: 'string', pattern: '^[0-9]+(ms|s|m|h)$' };
const stringMap = {
  type: 'object',
  additionalProperties: { type: ['string', 'number', 'boolean'] },
};
const fromCfn = {
  type: 'object',
  required: ['from_cfn'],
  additionalProperties: false,
  properties: { from_cfn: { type: 'string', minLength: 1 } },
};
/** Secret references only: an SSM parameter path, Secrets Manager, or a stack export. */
const secrets = {
  type: 'object',
  additionalProperties: {
    oneOf: [
      { type: 'string', pattern: '^/' },
      {
        type: 'object',
        required: ['secretsmanager'],
        additionalProperties: false,
        properties: { secretsmanager: { type: 'string', minLength: 1 } },
      },
      fromCfn,
    ],
  },
};
const containerHealthcheck = {
  type: 'object',
  required: ['command'],
  additionalProperties: false,
  properties: {
    command: { type: 'array', minItems: 2, items: { type: 'string' } },
    interval: duration,
    retries: { type: 'integer', minimum: 1 },
    timeout: duration,
    start_period: duration,
  },
};
const imageBuild = {
  type: 'object',
  required: ['dockerfile', 'context'],
  additionalProperties: false,
  properties: {
    dockerfile: { type: 'string' },
    context: { type: 'string' },
    target: { type: 'string' },
  },
};
const image = (requirePort: boolean) => ({
  type: 'object',
  required: requirePort ? ['port'] : [],
  oneOf: [{ required: ['build'] }, { required: ['location'] }],
  additionalProperties: false,
  properties: {
    build: imageBuild,
    // A pinned image:tag, or a shell variable Copilot substitutes when it reads the manifest.
    location: { type: 'string', pattern: '^([^:$]+:[^:]+|\\$\\{[A-Z][A-Z0-9_]*\\})$' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    healthcheck: containerHealthcheck,
  },
});
const securityGroupList = { type: 'array', items: { oneOf: [{ type: 'string' }, fromCfn] } };
const vpc = {
  type: 'object',
  additionalProperties: false,
  properties: {
    placement: { enum: ['public', 'private'] },
    security_groups: {
      oneOf: [
        securityGroupList,
        {
          type: 'object',
          additionalProperties: false,
          properties: { deny_default: { type: 'boolean' }, groups: securityGroupList },
        },
      ],
    },
  },
};
const network = (connect: boolean) => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    ...(connect
      ? {
          connect: {
            oneOf: [
              { type: 'boolean' },
              {
                type: 'object',
                additionalProperties: false,
                properties: { alias: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' } },
              },
            ],
          },
        }
      : {}),
    vpc,
  },
});
const autoscaling = {
  oneOf: [
    { type: 'integer', minimum: 1 },
    {
      type: 'object',
      required: ['range'],
      additionalProperties: false,
      properties: {
        range: { type: 'string', pattern: '^[0-9]+-[0-9]+$' },
        cpu_percentage: { type: 'integer', minimum: 1, maximum: 100 },
        memory_percentage: { type: 'integer', minimum: 1, maximum: 100 },
        requests: { type: 'integer', minimum: 1 },
        response_time: duration,
      },
    },
  ],
};
const storage = {
  type: 'object',
  additionalProperties: false,
  properties: {
    volumes: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['path', 'efs'],
        additionalProperties: false,
        properties: {
          path: { type: 'string', pattern: '^/[a-zA-Z0-9._/-]*$', maxLength: 241 },
          read_only: { type: 'boolean' },
          efs: {
            type: 'object',
            required: ['id'],
            additionalProperties: false,
            properties: {
              id: { oneOf: [{ type: 'string', pattern: '^fs-' }, fromCfn] },
              root_dir: { type: 'string' },
              auth: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  iam: { type: 'boolean' },
                  access_point_id: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
  },
};
const taskFields = {
  platform: { enum: ['linux/x86_64', 'linux/arm64'] },
  cpu: { type: 'integer', enum: [256, 512, 1024, 2048, 4096] },
  memory: { type: 'integer', minimum: 512 },
  exec: { type: 'boolean' },
  variables: stringMap,
  secrets,
  command: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
};
/** Per-environment overrides: any subset of the workload's own fields. */
const environments = { type: 'object', additionalProperties: { type: 'object' } };

const lbWebService = {
  type: 'object',
  required: ['name', 'type', 'image', 'http'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    type: { const: 'Load Balanced Web Service' },
    http: {
      type: 'object',
      required: ['path', 'healthcheck'],
      additionalProperties: false,
      properties: {
        path: { type: 'string' },
        alias: { type: 'string', pattern: '^[a-z0-9.-]+$' },
        redirect_to_https: { type: 'boolean' },
        healthcheck: {
          type: 'object',
          required: ['path'],
          additionalProperties: false,
          properties: {
            path: { type: 'string', pattern: '^/' },
            success_codes: { type: 'string' },
            healthy_threshold: { type: 'integer', minimum: 2 },
            unhealthy_threshold: { type: 'integer', minimum: 2 },
            interval: duration,
            timeout: duration,
            grace_period: duration,
          },
        },
      },
    },
    image: image(true),
    count: autoscaling,
    network: network(true),
    environments,
    ...taskFields,
  },
};

const backendService = {
  type: 'object',
  required: ['name', 'type', 'image'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    type: { const: 'Backend Service' },
    image: image(true),
    count: autoscaling,
    deployment: {
      type: 'object',
      additionalProperties: false,
      properties: { rolling: { enum: ['default', 'recreate'] } },
    },
    network: network(true),
    storage,
    environments,
    ...taskFields,
  },
};

const scheduledJob = {
  type: 'object',
  required: ['name', 'type', 'on', 'image'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    type: { const: 'Scheduled Job' },
    on: {
      type: 'object',
      required: ['schedule'],
      additionalProperties: false,
      properties: { schedule: { type: 'string', minLength: 1 } },
    },
    image: image(false),
    retries: { type: 'integer', minimum: 0, maximum: 10 },
    timeout: duration,
    network: network(false),
    environments,
    ...taskFields,
  },
};

const environment = {
  type: 'object',
  required: ['name', 'type'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    type: { const: 'Environment' },
    network: {
      type: 'object',
      additionalProperties: false,
      properties: {
        vpc: {
          type: 'object',
          additionalProperties: false,
          properties: { flow_logs: { type: 'boolean' } },
        },
      },
    },
    http: {
      type: 'object',
      additionalProperties: false,
      properties: {
        public: {
          type: 'object',
          additionalProperties: false,
          properties: {
            certificates: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          },
        },
      },
    },
    observability: {
      type: 'object',
      additionalProperties: false,
      properties: { container_insights: { type: 'boolean' } },
    },
  },
};

const pipeline = {
  type: 'object',
  required: ['name', 'version', 'source', 'stages'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    version: { const: 1 },
    source: {
      type: 'object',
      required: ['provider', 'properties'],
      additionalProperties: false,
      properties: {
        provider: { enum: ['GitHub', 'Bitbucket', 'CodeCommit'] },
        properties: {
          type: 'object',
          required: ['branch', 'repository'],
          additionalProperties: false,
          properties: {
            branch: { type: 'string' },
            repository: { type: 'string', pattern: '^https://' },
            connection_name: { type: 'string' },
          },
        },
      },
    },
    build: {
      type: 'object',
      additionalProperties: false,
      properties: {
        image: { type: 'string' },
        buildspec: { type: 'string' },
        additional_policy: {
          type: 'object',
          required: ['PolicyDocument'],
          additionalProperties: false,
          properties: {
            PolicyDocument: {
              type: 'object',
              required: ['Version', 'Statement'],
              properties: { Version: { const: '2012-10-17' }, Statement: { type: 'array' } },
            },
          },
        },
      },
    },
    stages: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          requires_approval: { type: 'boolean' },
          deployments: {
            type: 'object',
            additionalProperties: {
              oneOf: [
                { type: 'null' },
                {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    depends_on: { type: 'array', items: { type: 'string' } },
                    stack_name: { type: 'string' },
                    template_path: { type: 'string' },
                    template_config: { type: 'string' },
                  },
                },
              ],
            },
          },
          test_commands: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};

export type ManifestKind =
  'Load Balanced Web Service' | 'Backend Service' | 'Scheduled Job' | 'Environment' | 'Pipeline';

const SCHEMAS: Record<ManifestKind, object> = {
  'Load Balanced Web Service': lbWebService,
  'Backend Service': backendService,
  'Scheduled Job': scheduledJob,
  Environment: environment,
  Pipeline: pipeline,
};

const ajv = new Ajv({
  allErrors: true,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
});
const validators = new Map<ManifestKind, ValidateFunction>();

/** Schema errors of `manifest` as readable lines; empty when it is valid. */
export function manifestErrors(kind: ManifestKind, manifest: unknown): string[] {
  let validate = validators.get(kind);
  if (!validate) {
    validate = ajv.compile(SCHEMAS[kind]);
    validators.set(kind, validate);
  }
  return validate(manifest)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);
}
