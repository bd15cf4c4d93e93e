import { createHash } from 'node:crypto';

const PAGE = 1000;
const DATABASE = '/api/v2/tenants/default_tenant/databases/default_database';

/** Record count and a hash of every record (id, text, metadata) of each collection, by name. */
export type StoreFingerprint = Record<string, { count: number; hash: string }>;

async function chroma<T>(base: string, path: string, body?: object): Promise<T> {
  const response = await fetch(`${base}${DATABASE}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: body ? { 'content-type': 'application/json' } : undefined,
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`Chroma ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * Reads every collection straight from Chroma's HTTP API, not through the API under test, so the
 * same check works against any build of it (and sees its system collections, jobs included).
 */
export async function fingerprint(chromaUrl: string): Promise<StoreFingerprint> {
  const collections = await chroma<{ id: string; name: string }[]>(chromaUrl, '/collections');
  const result: StoreFingerprint = {};
  for (const { id, name } of collections) {
    const lines: string[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await chroma<{
        ids: string[];
        documents: (string | null)[];
        metadatas: (Record<string, unknown> | null)[];
      }>(chromaUrl, `/collections/${id}/get`, {
        limit: PAGE,
        offset,
        include: ['documents', 'metadatas'],
      });
      page.ids.forEach((recordId, i) =>
        lines.push(
          JSON.stringify([
            recordId,
            page.documents[i],
            // Chroma returns metadata keys in no fixed order.
            Object.entries(page.metadatas[i] ?? {}).sort(([a], [b]) => a.localeCompare(b)),
          ]),
        ),
      );
      if (page.ids.length < PAGE) break;
    }
    lines.sort();
    result[name] = {
      count: lines.length,
      hash: createHash('sha256').update(lines.join('\n')).digest('hex'),
    };
  }
  return result;
}

/** Names of the collections added, removed or changed between two fingerprints. */
export const changedCollections = (before: StoreFingerprint, after: StoreFingerprint): string[] =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]))
    .sort();
