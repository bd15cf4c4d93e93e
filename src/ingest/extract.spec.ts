import { docxFixture, pdfFixture } from './ingest.fixtures';
import { extractFile, htmlToText } from './extract';
import { FileRejectedError } from './file-format';

const extract = (name: string, bytes: Buffer | string, mime = '') =>
  extractFile(
    { name, mime, bytes: typeof bytes === 'string' ? Buffer.from(bytes) : bytes },
    { timeoutMs: 20_000 },
  );

describe('htmlToText', () => {
  it('keeps the content and headings, drops scripts, styles and page furniture', () => {
    const { title, text } = htmlToText(`<!doctype html><html><head><title>Guide</title>
      <style>p{color:red}</style></head><body><header>Site menu</header><nav>Home | About</nav>
      <main><h2>Install &amp; run</h2><p>Run <b>npm ci</b>.</p><script>track()</script></main>
      <aside>Ads</aside><footer>© 2024</footer></body></html>`);
    expect(title).toBe('Guide');
    expect(text).toBe('## Install & run\n\nRun npm ci.');
  });
});

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
    ['bad.txt', Buffer.from([0xff, 0xfe, 0x00, 0xd8]), /UTF-8/],
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
