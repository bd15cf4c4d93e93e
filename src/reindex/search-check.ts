import type { SearchCheckFigures } from '../collections/collection-registry';
import type { Embedder } from '../embeddings/embedder.port';
import type { ScoredRecord, StoredRecord, VectorStore } from '../vector-store/vector-store.port';

export type { SearchCheckFigures };

export interface SearchCheckOptions {
  /** Chunks sampled as probe queries; 0 skips the check. */
  probes: number;
  /** Results compared per probe. */
  topK: number;
  /** Least agreement accepted (see SearchCheck). */
  minAgreement: number;
}

/** A probe asks with the start of its chunk: long enough to be specific, short like a query. */
const PROBE_QUERY_CHARS = 300;

/** One side of the comparison: a generation and the embedder that made its vectors. */
export interface SearchSide {
  collection: string;
  embedder: Embedder;
}

const documentOf = (record: StoredRecord): string =>
  typeof record.metadata.document_id === 'string' ? record.metadata.document_id : record.id;

/** Evenly spread offsets, so the probes cover the whole collection without randomness. */
const spread = (count: number, probes: number): number[] => {
  const n = Math.min(count, probes);
  return Array.from({ length: n }, (_, i) => Math.floor((i * count) / n));
};

/**
 * Compares search, not storage, between the serving generation and a rebuilt one: sampled chunks
 * are asked of both through the port's query, and their top documents must agree. With the same
 * embedder both should return the same documents (mean overlap@k ≥ minAgreement). With another
 * embedder the rankings may rightly differ, so what must hold is that the new generation still
 * finds each probe's own document: at least minAgreement times as often as the old one did (or,
 * when the old one cannot be asked, for that share of the probes).
 */
export class SearchCheck {
  constructor(
    private readonly store: VectorStore,
    private readonly options: SearchCheckOptions,
  ) {}

  async compare(
    old: SearchSide | undefined,
    fresh: SearchSide,
    sameEmbedder: boolean,
  ): Promise<SearchCheckFigures | undefined> {
    const { probes, topK, minAgreement } = this.options;
    if (probes === 0) return undefined;
    const source = old?.collection ?? fresh.collection;
    const count = (await this.store.describeCollection(source))?.count ?? 0;
    const picked: StoredRecord[] = [];
    for (const offset of spread(count, probes)) {
      picked.push(...(await this.store.getPage(source, offset, 1)));
    }
    if (picked.length === 0) return undefined;

    let overlapSum = 0;
    let ownOld = 0;
    let ownNew = 0;
    for (const probe of picked) {
      const query = probe.text.slice(0, PROBE_QUERY_CHARS);
      const own = documentOf(probe);
      const newDocs = await this.topDocuments(fresh, query);
      if (newDocs.has(own)) ownNew++;
      if (!old) continue;
      const oldDocs = await this.topDocuments(old, query);
      if (oldDocs.has(own)) ownOld++;
      const shared = [...oldDocs].filter((doc) => newDocs.has(doc)).length;
      overlapSum += oldDocs.size === 0 ? 1 : shared / oldDocs.size;
    }
    const n = picked.length;
    const overlap = old ? overlapSum / n : null;
    const passed =
      sameEmbedder && overlap !== null
        ? overlap >= minAgreement
        : ownNew >= minAgreement * (old ? ownOld : n);
    return {
      probes: n,
      top_k: topK,
      overlap: overlap === null ? null : Number(overlap.toFixed(4)),
      own_document_old: old ? ownOld : null,
      own_document_new: ownNew,
      min_agreement: minAgreement,
      passed,
    };
  }

  private async topDocuments(side: SearchSide, query: string): Promise<Set<string>> {
    const embedding = await side.embedder.embedQuery(query);
    const hits: ScoredRecord[] = await this.store.query(
      side.collection,
      embedding,
      this.options.topK,
    );
    return new Set(hits.map(documentOf));
  }
}

/** The failure message a run records, with the figures that decided it. */
export function searchCheckFailure(figures: SearchCheckFigures): string {
  const { probes, top_k, overlap, own_document_old, own_document_new, min_agreement } = figures;
  const agreement =
    overlap === null ? '' : `mean overlap@${top_k} of top documents ${overlap.toFixed(2)}, `;
  const own =
    own_document_old === null
      ? `own document found by the new generation for ${own_document_new}/${probes} probes`
      : `own document found for ${own_document_old}/${probes} probes by the old generation and ${own_document_new}/${probes} by the new`;
  return `search verification failed: ${agreement}${own} (required agreement ${min_agreement}); the new generation was not switched to`;
}
