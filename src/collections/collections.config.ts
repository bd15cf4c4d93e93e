import type { Env } from '../config/env.schema';

/** Logical collections: how their routing to generations is cached. */
export abstract class CollectionsConfig {
  /** How long a task may serve a cached logical → physical collection resolution. */
  abstract readonly registryCacheMs: number;
}

/** Built once at boot from the validated environment (CollectionsModule's provider). */
export const collectionsConfigFrom = (env: Env): CollectionsConfig => ({
  registryCacheMs: env.REGISTRY_CACHE_MS,
});
