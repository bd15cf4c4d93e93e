import { App } from 'aws-cdk-lib';
import { join } from 'node:path';
import { buildApp } from '../lib/app';

// `npm run infra:synth` (no account needed) and the CDK CLI (infra/cdk.json) both run this file.
// cdk-nag runs as a validation plugin: an unacknowledged finding makes synth() throw.
const { app } = buildApp(
  new App({ outdir: process.env.CDK_OUTDIR ?? join(__dirname, '..', 'cdk.out') }),
);
for (const stack of app.synth().stacks) {
  const template = stack.template as { Resources?: Record<string, unknown> };
  console.log(`${stack.stackName}: ${Object.keys(template.Resources ?? {}).length} resources`);
}
