import { PassThrough } from 'node:stream';
import { uploadProgress } from './upload-progress';

/** A stream capturing what is written, a terminal or not. */
function captured(isTTY: boolean): { out: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  Object.assign(stream, { isTTY, columns: 120 });
  return {
    out: stream as unknown as NodeJS.WriteStream,
    text: () => Buffer.concat(chunks).toString(),
  };
}

describe('uploadProgress', () => {
  it('writes a line per percent off a terminal, never backwards, ending at 100 %', () => {
    const { out, text } = captured(false);
    const progress = uploadProgress(out, 4);
    progress.update(1, 3, 1);
    progress.update(1, 4, 1);
    progress.update(0, 5, 1);
    progress.update(3, 9, 2);
    progress.finish(12, 2);
    expect(text().trim().split('\n')).toEqual([
      'progress 0 % | 0/4 files | 0 chunks | 0 chunks/s',
      'progress 25 % | 1/4 files | 3 chunks | 1 chunks/s',
      'progress 75 % | 3/4 files | 9 chunks | 2 chunks/s',
      'progress 100 % | 4/4 files | 12 chunks | 2 chunks/s',
    ]);
  });

  it('draws the bar towards the known total on a terminal and leaves it at 100 %', () => {
    const { out, text } = captured(true);
    const progress = uploadProgress(out, 9);
    progress.update(4, 10, 5);
    progress.finish(20, 5);
    expect(text()).not.toContain('0/0');
    expect(text()).toContain('0/9 files');
    expect(text().trimEnd()).toMatch(/100 % \| 9\/9 files \| 20 chunks[^\n]*$/);
  });
});
