import { planBatches } from './batch-plan';

const doc = (id: string, chunks: number) => ({ id, text: 'x'.repeat(chunks), metadata: {} });
const ids = (plan: ReturnType<typeof planBatches>) =>
  plan.batches.map((batch) => batch.documents.map((d) => d.id));

describe('planBatches', () => {
  const count = (text: string) => text.length;

  it('fills batches up to the chunk limit, in order, and counts everything', () => {
    const plan = planBatches(
      [{ documents: [doc('a', 3), doc('b', 3)] }, { documents: [doc('c', 5), doc('d', 1)] }],
      count,
      { maxChunks: 6, maxDocuments: 10 },
    );
    expect(ids(plan)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect([plan.documents, plan.chunks]).toEqual([4, 12]);
  });

  it('gives an oversized document its own batch and respects the document limit', () => {
    const plan = planBatches(
      [{ documents: [doc('a', 1), doc('big', 50), doc('b', 1), doc('c', 1)] }],
      count,
      {
        maxChunks: 10,
        maxDocuments: 2,
      },
    );
    expect(ids(plan)).toEqual([['a'], ['big'], ['b', 'c']]);
  });

  it('closes a batch at the document limit even when chunks would fit', () => {
    const plan = planBatches([{ documents: [doc('a', 1), doc('b', 1), doc('c', 1)] }], count, {
      maxChunks: 100,
      maxDocuments: 2,
    });
    expect(ids(plan)).toEqual([['a', 'b'], ['c']]);
  });

  it('makes no empty batch: not before an oversized first document, not for no documents', () => {
    const limits = { maxChunks: 10, maxDocuments: 10 };
    expect(ids(planBatches([{ documents: [doc('big', 50)] }], count, limits))).toEqual([['big']]);
    expect(planBatches([], count, limits)).toEqual({ batches: [], documents: 0, chunks: 0 });
  });

  it('records no PDF that yielded no documents', () => {
    const plan = planBatches(
      [{ documents: [doc('a', 1)] }, { documents: [], pdf: { id: 'empty', pages: 3 } }],
      count,
      { maxChunks: 10, maxDocuments: 10 },
    );
    expect(plan.batches).toEqual([{ documents: [doc('a', 1)], pdfs: [], parted: [] }]);
  });

  it('attaches a PDF page count to the batch holding its last page', () => {
    const plan = planBatches(
      [{ documents: [doc('f/page-1', 4), doc('f/page-2', 4)], pdf: { id: 'f', pages: 2 } }],
      count,
      { maxChunks: 5, maxDocuments: 10 },
    );
    expect(plan.batches.map((batch) => batch.pdfs)).toEqual([[], [{ id: 'f', pages: 2 }]]);
  });

  it('attaches part counts to the batch holding a file’s last part', () => {
    const plan = planBatches(
      [
        { documents: [doc('a', 1)], parted: [{ id: 'a', parts: 1 }] },
        {
          documents: [doc('b', 4), doc('b~part-2', 4), doc('b~part-3', 1)],
          parted: [{ id: 'b', parts: 3 }],
        },
        { documents: [], parted: [{ id: 'empty', parts: 0 }] },
      ],
      count,
      { maxChunks: 5, maxDocuments: 10 },
    );
    expect(ids(plan)).toEqual([
      ['a', 'b'],
      ['b~part-2', 'b~part-3'],
    ]);
    expect(plan.batches.map((batch) => batch.parted)).toEqual([
      [{ id: 'a', parts: 1 }],
      [{ id: 'b', parts: 3 }],
    ]);
  });
});
