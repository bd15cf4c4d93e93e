import { constants, crc32, deflateRawSync } from 'node:zlib';

const MIB = 1024 * 1024;

/** `lines` markdown headings `# hhhhh`, one a line: finding 1's document (8 bytes a line). */
export const headingsMarkdown = (lines: number): string => '# hhhhh\n'.repeat(lines);

/**
 * Raw deflate of `bytes` zeros (a whole number of MiB) without holding them: one MiB compressed
 * with a full flush (byte-aligned, no back references across it) repeated, then a final empty
 * block. About 1 KB per MiB.
 */
function zerosDeflateRaw(bytes: number): Buffer {
  const block = deflateRawSync(Buffer.alloc(MIB), { finishFlush: constants.Z_FULL_FLUSH });
  const end = deflateRawSync(Buffer.alloc(0));
  return Buffer.concat([...Array<Buffer>(bytes / MIB).fill(block), end]);
}

/** CRC-32 of `bytes` zeros, computed a MiB at a time. */
function zerosCrc32(bytes: number): number {
  const zeros = Buffer.alloc(MIB);
  let crc = 0;
  for (let done = 0; done < bytes; done += MIB) crc = crc32(zeros, crc);
  return crc;
}

interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: 0 | 8;
  data: Buffer;
  crc: number;
  size: number;
}

const stored = (name: string, text: string): ZipEntry => {
  const data = Buffer.from(text);
  return { name, method: 0, data, crc: crc32(data), size: data.length };
};

/** A ZIP archive of the entries, written by hand so an entry may declare any unpacked size. */
function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.method, 8);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(entry.crc, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(entry.method, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(entry.crc, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.data);
    centrals.push(central, name);
    offset += local.length + name.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** Finding 3: a DOCX whose `word/document.xml` unpacks to `unpackedMiB` MiB of zeros. */
export function docxZipBomb(unpackedMiB: number): Buffer {
  const bytes = unpackedMiB * MIB;
  return zip([
    stored(
      '[Content_Types].xml',
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
    stored(
      '_rels/.rels',
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    ),
    {
      name: 'word/document.xml',
      method: 8,
      data: zerosDeflateRaw(bytes),
      crc: zerosCrc32(bytes),
      size: bytes,
    },
  ]);
}

/** A PDF of the given objects (numbered from 1, the first one the catalog), with its xref. */
function pdf(objects: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n')];
  let length = parts[0].length;
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(length);
    const part = Buffer.concat([
      Buffer.from(`${index + 1} 0 obj\n`),
      Buffer.isBuffer(body) ? body : Buffer.from(body),
      Buffer.from('\nendobj\n'),
    ]);
    parts.push(part);
    length += part.length;
  });
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n `),
    'trailer',
    `<< /Size ${objects.length + 1} /Root 1 0 R >>`,
    'startxref',
    String(length),
    '%%EOF',
    '',
  ].join('\n');
  return Buffer.concat([...parts, Buffer.from(xref)]);
}

const stream = (dictionary: string, data: Buffer): Buffer =>
  Buffer.concat([
    Buffer.from(`<< ${dictionary} /Length ${data.length} >>\nstream\n`),
    data,
    Buffer.from('\nendstream'),
  ]);

const FONT = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';

/** Finding 3: a one-page PDF whose content stream inflates to `unpackedMiB` MiB of zeros. */
export function pdfFlateBomb(unpackedMiB: number): Buffer {
  const bytes = unpackedMiB * MIB;
  const adler = Buffer.alloc(4);
  // Adler-32 of n zeros: A stays 1, B adds A once a byte.
  adler.writeUInt32BE((bytes % 65521) * 0x10000 + 1);
  const zlibStream = Buffer.concat([Buffer.from([0x78, 0x9c]), zerosDeflateRaw(bytes), adler]);
  return pdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    stream('/Filter /FlateDecode', zlibStream),
    FONT,
  ]);
}

/** Finding 6: a PDF of `pages` pages, each with its own line of text. */
export function manyPagePdf(pages: number): Buffer {
  const firstPage = 4; // objects 1-3: catalog, pages, font; then a page and its content each
  const kids = Array.from({ length: pages }, (_, i) => `${firstPage + 2 * i} 0 R`).join(' ');
  const objects: (string | Buffer)[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`,
    FONT,
  ];
  for (let i = 0; i < pages; i++) {
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${firstPage + 2 * i + 1} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`,
      stream(
        '',
        Buffer.from(`BT /F1 12 Tf 72 720 Td (Page ${i} of the deadline attack report.) Tj ET`),
      ),
    );
  }
  return pdf(objects);
}
