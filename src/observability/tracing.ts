/**
 * Imported first by main.ts: the OpenTelemetry SDK has to patch `http` before Express and
 * Nest load it. Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
 */
import { ConfigValidationError, readEnv } from '../config/env';
import { observabilityConfigFrom } from './observability.config';
import { startTracing } from './tracing-sdk';

try {
  startTracing(observabilityConfigFrom(readEnv()).tracing);
} catch (error) {
  // main.ts validates the configuration again and reports every problem; it must not die here.
  if (!(error instanceof ConfigValidationError)) throw error;
}
