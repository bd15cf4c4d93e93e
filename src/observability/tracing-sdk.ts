import type { ObservabilityConfig } from './observability.config';
import type { createNodeSdk } from './otel-node-sdk';

let sdk: ReturnType<typeof createNodeSdk> | undefined;

/**
 * Starts the OpenTelemetry SDK when an OTLP endpoint is configured. Must run before Express
 * and the HTTP modules load (see tracing.ts).
 */
export function startTracing(tracing: ObservabilityConfig['tracing']): boolean {
  const { endpoint } = tracing;
  if (!endpoint || sdk) return false;
  // Loaded only when tracing is on: importing the SDK adds about half a second to every boot.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createNodeSdk: create } = require('./otel-node-sdk') as typeof import('./otel-node-sdk');
  sdk = create({ ...tracing, endpoint });
  sdk.start();
  return true;
}

/** Flushes pending spans and stops the SDK; a no-op when tracing is off. */
export async function shutdownTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown();
}
