import type { Env } from '../config/env.schema';

/** Bounds of the readiness checks. */
export abstract class HealthConfig {
  /** Each dependency check fails when it takes longer. */
  abstract readonly checkTimeoutMs: number;
  /** Readiness fails when the embedded Chroma folder's disk has less free space. */
  abstract readonly diskMinFreeBytes: number;
}

/** Built once at boot from the validated environment (HealthModule's provider). */
export const healthConfigFrom = (env: Env): HealthConfig => ({
  checkTimeoutMs: env.HEALTH_CHECK_TIMEOUT_MS,
  diskMinFreeBytes: env.HEALTH_DISK_MIN_FREE_BYTES,
});
