import { FileRejectedError } from './file-format';
import { decodeText } from './text-decoding';

const SAMPLE = 'Crème brûlée – £5, naïve café';
const latin1Page = (declaration: string) =>
  Buffer.from(`<html><head>${declaration}</head><body>Caf\xe9</body></html>`, 'latin1');
const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();

describe('decodeText', () => {
  it('reads UTF-8 with or without a byte order mark', () => {
    expect(decodeText(Buffer.from(SAMPLE), { mime: '' })).toBe(SAMPLE);
    expect(decodeText(Buffer.from(`\uFEFF${SAMPLE}`), { mime: '' })).toBe(SAMPLE);
  });

  it('reads UTF-16 little- and big-endian by their byte order mark', () => {
    expect(decodeText(Buffer.from(`\uFEFF${SAMPLE}`, 'utf16le'), { mime: '' })).toBe(SAMPLE);
    expect(decodeText(utf16be(`\uFEFF${SAMPLE}`), { mime: '' })).toBe(SAMPLE);
  });

  it.each([
    '<meta charset="ISO-8859-1">',
    "<meta charset='latin1'>",
    '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">',
    '<META HTTP-EQUIV="content-type" CONTENT="text/html;charset=windows-1252">',
  ])('honours the HTML declaration %s', (declaration) => {
    const page = latin1Page(declaration);
    expect(decodeText(page, { mime: '', html: true })).toContain('<body>Café</body>');
  });

  it('honours an XML declaration, and the charset of the upload first', () => {
    const xhtml = Buffer.from('<?xml version="1.0" encoding="ISO-8859-15"?><p>\xa4</p>', 'latin1');
    expect(decodeText(xhtml, { mime: '', html: true })).toBe(
      '<?xml version="1.0" encoding="ISO-8859-15"?><p>€</p>',
    );
    // windows-1251 (Cyrillic) declared by the upload wins over the page's latin-1.
    const page = latin1Page('<meta charset="iso-8859-1">');
    expect(decodeText(page, { mime: 'text/html; charset=windows-1251', html: true })).toContain(
      '<body>Cafй</body>',
    );
    const bomless = Buffer.from('Grüße', 'utf16le');
    expect(decodeText(bomless, { mime: 'text/plain; charset=utf-16le' })).toBe('Grüße');
  });

  it('looks for <meta> only in HTML, within the first 1024 bytes', () => {
    const text = latin1Page('<meta charset="koi8-r">');
    // Not HTML: no declaration is read; latin-1 bytes are not UTF-8, so windows-1252.
    expect(decodeText(text, { mime: '' })).toContain('Café');
    const late = latin1Page(`${' '.repeat(1024)}<meta charset="koi8-r">`);
    expect(decodeText(late, { mime: '', html: true })).toContain('Café');
  });

  it('falls back to windows-1252 for undeclared text that is not UTF-8', () => {
    expect(decodeText(Buffer.from('Caf\xe9 \x93quoted\x94 \x80', 'latin1'), { mime: '' })).toBe(
      'Café “quoted” €',
    );
  });

  it('ignores a declaration the bytes contradict, and an unknown label', () => {
    const page = Buffer.from(`<meta charset="utf-8"><p>${SAMPLE}</p>`);
    expect(decodeText(page, { mime: '', html: true })).toContain(SAMPLE);
    const mislabelled = latin1Page('<meta charset="utf-8">');
    expect(decodeText(mislabelled, { mime: '', html: true })).toContain('Café');
    expect(decodeText(latin1Page('<meta charset="klingon">'), { mime: '', html: true })).toContain(
      'Café',
    );
  });

  it.each([
    ['NUL bytes', Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), /NUL bytes/],
    [
      'control characters',
      Buffer.from(Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? 0x02 : 0x41))),
      /control characters/,
    ],
    ['a broken UTF-16 text', Buffer.from([0xfe, 0xff, 0xdc, 0x00]), /not valid utf-16be/],
  ])('refuses %s', (_, bytes, reason) => {
    expect(() => decodeText(bytes, { mime: '' })).toThrow(FileRejectedError);
    expect(() => decodeText(bytes, { mime: '' })).toThrow(reason);
  });

  it('keeps text with whitespace controls and a rare stray one', () => {
    const text = `a\tb\r\nc\fd\v${'e'.repeat(200)}\x1b[0m`;
    expect(decodeText(Buffer.from(text), { mime: '' })).toBe(text);
  });
});
