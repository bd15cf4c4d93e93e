import { detectFileType, documentIdFromPath, FileRejectedError } from './file-format';

const text = (value: string) => Buffer.from(value, 'utf8');

describe('detectFileType', () => {
  it('trusts content over the name', () => {
    expect(detectFileType('report.txt', 'text/plain', text('%PDF-1.7\n...'))).toBe('pdf');
    const docx = Buffer.concat([text('PK\x03\x04'), text('....word/document.xml....')]);
    expect(detectFileType('letter.bin', '', docx)).toBe('docx');
    expect(detectFileType('sheet.xlsx', '', text('PK\x03\x04xl/workbook.xml'))).toBeUndefined();
  });

  it('falls back to the extension, then the MIME type, then sniffs text', () => {
    expect(detectFileType('a/README.MD', '', text('# Hi'))).toBe('md');
    expect(detectFileType('page.htm', '', text('hello'))).toBe('html');
    expect(detectFileType('upload', 'text/markdown; charset=utf-8', text('# Hi'))).toBe('md');
    expect(detectFileType('upload', '', text('<!DOCTYPE html><p>x'))).toBe('html');
    expect(detectFileType('NOTES', '', text('plain words'))).toBe('txt');
    expect(detectFileType('broken.pdf', '', text('not a pdf'))).toBe('pdf');
  });

  it('refuses unknown binary formats', () => {
    expect(detectFileType('logo.png', 'image/png', Buffer.from([0x89, 0x50]))).toBeUndefined();
  });
});

describe('documentIdFromPath', () => {
  it('keeps the relative path, with forward slashes and without . segments', () => {
    expect(documentIdFromPath('docs\\guide/./intro.md')).toBe('docs/guide/intro.md');
    expect(documentIdFromPath('C#/notes.md')).toBe('C%23/notes.md');
  });

  it('maps distinct names to distinct ids (`%` is escaped as well as `#`)', () => {
    expect(documentIdFromPath('x#1.txt')).toBe('x%231.txt');
    expect(documentIdFromPath('x%231.txt')).toBe('x%25231.txt');
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
