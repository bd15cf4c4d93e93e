import type { ChromaClient } from 'chromadb';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ChromaHttpConfig } from '../vector-store.config';
import { createChromaClient } from '../chroma-http.store';
import { ChromaServerProcess, findFreePort } from '../chroma-server.process';
import { DataFolderLock } from '../data-folder.lock';
import { RequestDeadline } from '../request-deadline';

/** A Chroma server the migration talks to, and how to let go of it. */
export interface ChromaEndpoint {
  /** What the user passed, for messages. */
  readonly label: string;
  readonly client: ChromaClient;
  /** The deadline whose signal the client got; every call runs inside `deadline.run`. */
  readonly deadline: RequestDeadline;
  close(): Promise<void>;
}

export interface EndpointSettings {
  /** Auth, tenant and database for URL endpoints (from CHROMA_AUTH_TOKEN and friends). */
  http: Omit<ChromaHttpConfig, 'url' | 'apiKey'>;
  startupTimeoutMs: number;
}

export const isChromaUrl = (spec: string): boolean => /^https?:\/\//i.test(spec);

/**
 * A URL is used as is. A folder gets a temporary Chroma server of its own, under the same lock
 * the API takes, so the data is never read while an embedded API is writing it.
 */
export async function openEndpoint(
  spec: string,
  settings: EndpointSettings,
): Promise<ChromaEndpoint> {
  const deadline = new RequestDeadline(`Chroma at ${spec}`);
  if (isChromaUrl(spec)) {
    const client = createChromaClient({ ...settings.http, url: spec }, deadline);
    return { label: spec, client, deadline, close: () => Promise.resolve() };
  }
  const folder = resolve(spec);
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`${spec} is neither an http(s) URL nor an existing Chroma data folder`);
  }
  const lock = DataFolderLock.acquire(folder);
  try {
    const server = await ChromaServerProcess.start(
      folder,
      await findFreePort(),
      settings.startupTimeoutMs,
    );
    const client = createChromaClient({ url: server.url, authHeader: 'Authorization' }, deadline);
    return {
      label: spec,
      client,
      deadline,
      close: async () => {
        await server.stop();
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}
