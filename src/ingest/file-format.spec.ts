import { detectFileType, documentIdFromPath, FileRejectedError } from './file-format';

const text = (value: string) => Buffer.from(value, 'utf8');

describe('detectFileType', () => {
  it('trusts content over the name', () => {
    expect(detectFileType('report.txt', 'text/plain', text('%PDF-1.7\n...'))).toBe('pdf');
    const docx = Buffer.concat([text('PK\x03\x04'), text('....word/document.xml....')]);
    expect(detectFileType('letter.bin', '', docx)).toBe('docx');
    expect(() => detectFileType('sheet.xlsx', '', text('PK\x03\x04xl/workbook.xml'))).toThrow(
      /unsupported file type: binary content \(zip archive without a Word document\)/,
    );
    expect(() =>
      detectFileType('photo.txt', '', Buffer.from('\xff\xd8\xff\xe0', 'latin1')),
    ).toThrow(/JPEG image/);
  });

  it('falls back to the extension, then the MIME type, then sniffs text', () => {
    expect(detectFileType('a/README.MD', '', text('# Hi'))).toBe('md');
    expect(detectFileType('page.htm', '', text('hello'))).toBe('html');
    expect(detectFileType('upload', 'text/markdown; charset=utf-8', text('# Hi'))).toBe('md');
    expect(detectFileType('upload', '', text('<!DOCTYPE html><p>x'))).toBe('html');
    expect(detectFileType('NOTES', '', text('plain words'))).toBe('txt');
    expect(detectFileType('broken.pdf', '', text('not a pdf'))).toBe('pdf');
  });

  it('refuses binary formats by their first bytes, their name or their MIME type', () => {
    expect(() => detectFileType('logo.png', 'image/png', Buffer.from([0x89, 0x50]))).toThrow(
      /unsupported file type: binary content \(\.png file\)/,
    );
    expect(() =>
      detectFileType('changelog.Debian.gz', '', Buffer.from([0x1f, 0x8b, 8, 0])),
    ).toThrow(/gzip archive/);
    expect(() => detectFileType('ls', '', Buffer.from('\x7fELF\x02\x01', 'latin1'))).toThrow(
      /ELF executable/,
    );
    expect(() => detectFileType('clip', 'video/mp4', text('....ftypisom'))).toThrow(/video\/mp4/);
  });

  // Issue 18 item 7: what follows the last dot of a name is not always an extension.
  it.each(['Apache-2.0', 'MPL-2.0', 'LGPL-2.1', 'README.Debian', 'changelog.1'])(
    'takes %s (no known extension) as text, to be checked by content',
    (name) => {
      expect(detectFileType(name, 'application/octet-stream', text('Licence text'))).toBe('txt');
    },
  );
});

describe('documentIdFromPath', () => {
  it('keeps the relative path, with forward slashes and without . segments', () => {
    expect(documentIdFromPath('docs\\guide/./intro.md')).toBe('docs/guide/intro.md');
    expect(documentIdFromPath('C#/notes.md')).toBe('C%23/notes.md');
  });

  it('maps distinct names to distinct ids (`%` is escaped as well as `#`)', () => {
    expect(documentIdFromPath('x#1.txt')).toBe('x%231.txt');
    expect(documentIdFromPath('x%231.txt')).toBe('x%25231.txt');
    // `~` numbers the parts of a long text: a file named like a part is not one.
    expect(documentIdFromPath('a.txt~part-2')).toBe('a.txt%7Epart-2');
    expect(documentIdFromPath('backup.md~')).toBe('backup.md%7E');
  });

  it.each([
    '../etc/passwd',
    'a/../../b',
    '/etc/passwd',
    'C:\\x.txt',
    'a\u0000b',
    './',
    ' ',
    'a/ /b',
    'a\u200bb',
    'a\u202eb',
  ])('refuses %j', (path) => {
    expect(() => documentIdFromPath(path)).toThrow(FileRejectedError);
  });
});
