import { docxBombFixture, docxFixture, pdfBombFixture, pdfFixture } from './ingest.fixtures';
import { extractFile } from './extract';
import type { ExtractLimits } from './extract-worker';
import { DecompressionLimitError, FileRejectedError } from './file-format';

const LIMITS: ExtractLimits = {
  timeoutMs: 20_000,
  maxHeapMb: 256,
  maxDecompressedBytes: 8_000_000,
  maxTextBytes: 100_000,
  maxFileTextBytes: 1_000_000,
};

const extract = (name: string, bytes: Buffer | string, limits: Partial<ExtractLimits> = {}) =>
  extractFile(
    { name, mime: '', bytes: typeof bytes === 'string' ? Buffer.from(bytes) : bytes },
    { ...LIMITS, ...limits },
  );

const MB = 1_000_000;
// Reader workers and bomb fixtures take seconds on a busy machine.
jest.setTimeout(30_000);

describe('extractFile', () => {
  it('reads text and Markdown as they are, with file_type and source', async () => {
    const file = await extract('notes/a.md', '\uFEFF# Title\n\nBody.');
    expect(file.documents).toEqual([
      {
        id: 'notes/a.md',
        text: '# Title\n\nBody.',
        metadata: { file_type: 'md', source: 'notes/a.md' },
      },
    ]);
    expect((await extract('b.txt', 'plain')).documents[0].metadata.file_type).toBe('txt');
  });

  // Issue 18 items 7 and 8: licences named like versions, legacy charsets.
  it('reads a licence whose name has a dot but no extension, as text', async () => {
    const licence =
      '                                 Apache License\n                           Version 2.0, January 2004\n';
    const file = await extract('common-licenses/Apache-2.0', licence);
    expect(file.documents[0]).toMatchObject({
      id: 'common-licenses/Apache-2.0',
      text: licence,
      metadata: { file_type: 'txt' },
    });
  });

  it('decodes HTML in the charset it declares', async () => {
    const page = Buffer.from(
      '<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><title>Caf\xe9</title></head><body><p>Cr\xe8me br\xfbl\xe9e \x96 \xa3</p></body></html>',
      'latin1',
    );
    const file = await extract('menu.html', page);
    expect(file.documents[0].text).toBe('Crème brûlée – £');
    expect(file.documents[0].metadata.title).toBe('Café');
  });

  it('makes one document per PDF page with text, numbered', async () => {
    const pdf = await pdfFixture(['First page words', '', 'Third page words']);
    const file = await extract('manuals/kit.pdf', pdf);
    expect(file.pages).toBe(3);
    expect(file.documents.map((doc) => [doc.id, doc.metadata.page, doc.text])).toEqual([
      ['manuals/kit.pdf/page-1', 1, 'First page words'],
      ['manuals/kit.pdf/page-3', 3, 'Third page words'],
    ]);
    expect(file.documents[0].metadata).toMatchObject({ file_type: 'pdf', title: 'kit', pages: 3 });
  });

  it('reads a DOCX', async () => {
    const file = await extract('letter.docx', await docxFixture(['Dear team,', 'Ship it.']));
    expect(file.type).toBe('docx');
    expect(file.documents[0].text.trim()).toBe('Dear team,\n\nShip it.');
  });

  it.each([
    ['broken.pdf', '%PDF-1.4 not really', /unreadable PDF/],
    ['broken.docx', 'PK\x03\x04 word/document.xml garbage', /corrupt or unreadable DOCX/],
    ['logo.png', '\x89PNG', /unsupported/],
    // A UTF-16LE byte order mark, then half a surrogate pair.
    ['bad.txt', Buffer.from([0xff, 0xfe, 0x00, 0xd8]), /not valid utf-16le text/],
    [
      'random.bin2',
      Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 7 + 1) % 256 || 1)),
      /binary content/,
    ],
    ['tool', Buffer.from('\x7fELF\x02\x01\x01\x00\x00\x00', 'latin1'), /binary content/],
    ['tool.md', Buffer.from('\x7fELF\x02\x01\x01\x00\x00\x00', 'latin1'), /binary content/],
    ['empty.md', '  \n ', /no text/],
    ['../escape.md', 'text', /\.\./],
  ])('rejects %s', async (name, bytes, reason) => {
    const failure = extract(name, bytes);
    await expect(failure).rejects.toThrow(FileRejectedError);
    await expect(failure).rejects.toThrow(reason);
  });
});

describe('extractFile limits (issue 17, findings 3 and 6)', () => {
  it.each([
    ['DOCX', 'bomb.docx', docxBombFixture],
    ['PDF', 'bomb.pdf', pdfBombFixture],
  ])(
    'refuses a %s that inflates past INGEST_MAX_DECOMPRESSED_BYTES, reading no further',
    async (_, name, bomb) => {
      const bytes = await bomb(256 * MB);
      const started = Date.now();
      const failure = extract(name, bytes);
      await expect(failure).rejects.toThrow(DecompressionLimitError);
      await expect(failure).rejects.toThrow(
        /more than 8000000 bytes \(INGEST_MAX_DECOMPRESSED_BYTES\)/,
      );
      // Inflating all 256 MB takes several times as long as stopping at 8.
      expect(Date.now() - started).toBeLessThan(10_000);
    },
  );

  it('reads files that inflate to less than the limit', async () => {
    const paragraphs = Array.from({ length: 1000 }, (_, i) => `Paragraph ${i} of words.`);
    const limits = { maxDecompressedBytes: 1 * MB, maxTextBytes: 1 * MB };
    const file = await extract('ok.docx', await docxFixture(paragraphs), limits);
    expect(file.documents[0].text).toContain('Paragraph 999 of words.');
    await expect(extract('zeros.pdf', await pdfBombFixture(4 * MB))).rejects.toThrow(
      /no text layer/,
    );
  });

  it.each([
    ['notes.txt', () => Promise.resolve(Buffer.from('x '.repeat(501))), /more than 1000 bytes/],
    ['long.docx', () => docxFixture(['y '.repeat(501)]), /more than 1000 bytes/],
    [
      'long.pdf',
      () => pdfFixture(['short', Array(30).fill('z'.repeat(60)).join('\n')]),
      /more than 1000 bytes of text by page 2/,
    ],
  ])(
    'refuses %s with more text than INGEST_MAX_FILE_TEXT_BYTES, at extraction',
    async (name, build, reason) => {
      const failure = extract(name, await build(), { maxTextBytes: 100, maxFileTextBytes: 1000 });
      await expect(failure).rejects.toThrow(reason);
      await expect(failure).rejects.toThrow(/INGEST_MAX_FILE_TEXT_BYTES/);
    },
  );

  // Issue 18 item 9: a long text is stored in parts, not refused.
  it('stores a text longer than MAX_TEXT_BYTES in parts, cut between paragraphs', async () => {
    const paragraphs = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} says something.`);
    const file = await extract('big.md', paragraphs.join('\n\n'), { maxTextBytes: 300 });
    const parts = file.documents.length;
    expect(parts).toBeGreaterThanOrEqual(3);
    expect(file.documents.map((doc) => doc.id)).toEqual([
      'big.md',
      ...Array.from({ length: parts - 1 }, (_, i) => `big.md~part-${i + 2}`),
    ]);
    file.documents.forEach((doc, i) => {
      expect(Buffer.byteLength(doc.text)).toBeLessThanOrEqual(300);
      expect(doc.text).toMatch(/^Paragraph \d+ says something\.$/m);
      expect(doc.metadata).toEqual({ file_type: 'md', source: 'big.md', part: i + 1, parts });
    });
    expect(file.documents.map((doc) => doc.text).join('\n\n')).toBe(paragraphs.join('\n\n'));
    expect(file.parted).toEqual([{ id: 'big.md', parts }]);
    const small = await extract('small.md', 'Fits.', { maxTextBytes: 300 });
    expect(small.documents).toEqual([
      { id: 'small.md', text: 'Fits.', metadata: { file_type: 'md', source: 'small.md' } },
    ]);
    expect(small.parted).toEqual([{ id: 'small.md', parts: 1 }]);
  });

  it('stores a long DOCX and a long PDF page in parts', async () => {
    const paragraphs = Array.from({ length: 40 }, (_, i) => `Clause ${i} of the contract.`);
    const docx = await extract('deal.docx', await docxFixture(paragraphs), { maxTextBytes: 400 });
    expect(docx.documents.length).toBeGreaterThan(2);
    expect(docx.documents.at(-1)!.text).toContain('Clause 39 of the contract.');
    const lines = Array.from({ length: 30 }, (_, i) => `Line ${i} of the long page.`).join('\n');
    const pdf = await extract('kit.pdf', await pdfFixture(['short', lines]), { maxTextBytes: 400 });
    const ids = pdf.documents.map((doc) => doc.id);
    expect(ids.slice(0, 3)).toEqual(['kit.pdf/page-1', 'kit.pdf/page-2', 'kit.pdf/page-2~part-2']);
    expect(pdf.documents[2].metadata).toMatchObject({ page: 2, pages: 2, part: 2 });
    expect(pdf.documents[0].metadata).not.toHaveProperty('part');
    expect(pdf.parted).toEqual([
      { id: 'kit.pdf/page-1', parts: 1 },
      { id: 'kit.pdf/page-2', parts: ids.length - 1 },
    ]);
  });

  it('fails the file, not the process, when a reader runs out of its heap', async () => {
    const paragraphs = Array.from({ length: 20_000 }, (_, i) => `Paragraph ${i} of words.`);
    const failure = extract('big.docx', await docxFixture(paragraphs), {
      maxHeapMb: 32,
      maxTextBytes: 10 * MB,
      maxFileTextBytes: 10 * MB,
      maxDecompressedBytes: 50 * MB,
    });
    await expect(failure).rejects.toThrow(
      /ran out of its 32 MB heap \(INGEST_EXTRACT_WORKER_MAX_HEAP_MB\)/,
    );
  });

  it('stops at once with the reason when the signal aborts', async () => {
    const reason = new Error('deadline passed');
    await expect(extract('a.md', '# text', { signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
    const abort = new AbortController();
    const started = Date.now();
    const failure = extract('bomb.pdf', await pdfBombFixture(512 * MB), {
      maxDecompressedBytes: 2000 * MB,
      signal: abort.signal,
    });
    setTimeout(() => abort.abort(reason), 300);
    await expect(failure).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
