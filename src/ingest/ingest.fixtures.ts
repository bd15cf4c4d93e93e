// Builders of real PDF and DOCX files for the extraction specs and e2e tests; not part of the build.
import JSZip from 'jszip';
import { createDeflateRaw } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A PDF with a text layer: one page per entry, each line drawn on its own row. */
export async function pdfFixture(pages: string[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of pages) {
    const page = doc.addPage();
    text.split('\n').forEach((line, i) => {
      page.drawText(line, { x: 50, y: 750 - i * 16, size: 11, font });
    });
  }
  return Buffer.from(await doc.save());
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The smallest DOCX Word and mammoth open: content types, package rels, one paragraph each. */
export async function docxFixture(paragraphs: string[]): Promise<Buffer> {
  const zip = new JSZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  const body = paragraphs
    .map((text) => `<w:p><w:r><w:t xml:space="preserve">${escapeXml(text)}</w:t></w:r></w:p>`)
    .join('');
  zip.file(
    'word/document.xml',
    `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  );
  return zip.generateAsync({ type: 'nodebuffer' });
}

/** Raw deflate of `bytes` zeros, compressed in 1 MiB steps so the zeros are never all in memory. */
async function deflatedZeros(bytes: number): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (part: Buffer) => parts.push(part));
  const done = new Promise((resolve, reject) => deflate.on('end', resolve).on('error', reject));
  const step = Buffer.alloc(1 << 20);
  for (let left = bytes; left > 0; left -= step.length) {
    if (!deflate.write(step.subarray(0, Math.min(step.length, left)))) {
      await new Promise((resolve) => deflate.once('drain', resolve));
    }
  }
  deflate.end();
  await done;
  return Buffer.concat(parts);
}

/** A PDF whose one page's content stream inflates to `bytes` zeros (PDF whitespace). */
export async function pdfBombFixture(bytes: number): Promise<Buffer> {
  // FlateDecode is zlib: a two-byte header, the raw deflate data, an Adler-32 pdf.js ignores.
  const stream = Buffer.concat([Buffer.from([0x78, 0xda]), await deflatedZeros(bytes)]);
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>',
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n')];
  const offsets: number[] = [];
  let length = parts[0].length;
  const add = (part: Buffer) => {
    parts.push(part);
    length += part.length;
  };
  objects.forEach((body, i) => {
    offsets.push(length);
    add(Buffer.from(`${i + 1} 0 obj\n${body}\nendobj\n`));
  });
  offsets.push(length);
  add(Buffer.from(`4 0 obj\n<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`));
  add(stream);
  add(Buffer.from('\nendstream\nendobj\n'));
  const xref = length;
  const entries = offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`);
  add(
    Buffer.from(
      `xref\n0 5\n0000000000 65535 f \n${entries.join('')}trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`,
    ),
  );
  return Buffer.concat(parts);
}

interface ZipEntry {
  name: string;
  /** Raw deflate data when `inflatedSize` is given, else stored as is. */
  data: Buffer;
  /** What the headers declare the entry inflates to. */
  inflatedSize?: number;
}

/** A zip archive written by hand, so its headers may lie about the sizes. */
function zipFixture(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const { name, data, inflatedSize } of entries) {
    const fileName = Buffer.from(name);
    const header = (signature: number, size: number) => {
      const fields = Buffer.alloc(size);
      fields.writeUInt32LE(signature, 0);
      return fields;
    };
    const method = inflatedSize === undefined ? 0 : 8;
    const local = header(0x04034b50, 30);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(inflatedSize ?? data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = header(0x02014b50, 46);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(inflatedSize ?? data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    directory.push(central, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const directoryBytes = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directoryBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directoryBytes, end]);
}

/**
 * A DOCX whose word/document.xml inflates to `bytes` zeros while its zip headers declare
 * 1 KB: a reader must count what it inflates, not trust the headers.
 */
export async function docxBombFixture(bytes: number): Promise<Buffer> {
  const parts = await JSZip.loadAsync(await docxFixture(['bomb']));
  const stored = async (name: string): Promise<ZipEntry> => ({
    name,
    data: await parts.file(name)!.async('nodebuffer'),
  });
  return zipFixture([
    await stored('[Content_Types].xml'),
    await stored('_rels/.rels'),
    { name: 'word/document.xml', data: await deflatedZeros(bytes), inflatedSize: 1000 },
  ]);
}
