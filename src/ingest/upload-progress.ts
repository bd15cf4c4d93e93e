import { Presets, SingleBar } from 'cli-progress';

/** Progress of a folder upload, in files: the total is known before the first upload. */
export interface UploadProgress {
  /** Never moves back: a lower `filesDone` than already shown is ignored. */
  update(filesDone: number, chunksDone: number, chunksPerSecond: number): void;
  /** Shows 100 % (every file is accounted for) and releases the terminal. */
  finish(chunksDone: number, chunksPerSecond: number): void;
  /** Releases the terminal where it stands (the upload stopped on an error). */
  stop(): void;
}

const percentOf = (done: number, total: number) =>
  total === 0 ? 100 : Math.floor((done / total) * 100);

/**
 * A bar on a terminal; elsewhere (a pipe, a CI log) one plain line each time the percentage
 * changes, which a log keeps readable.
 */
export function uploadProgress(out: NodeJS.WriteStream, totalFiles: number): UploadProgress {
  let shown = 0;
  if (!out.isTTY) {
    let percent = -1;
    const line = (done: number, chunks: number, rate: number) => {
      if (done < shown || percentOf(done, totalFiles) === percent) return;
      shown = done;
      percent = percentOf(done, totalFiles);
      out.write(
        `progress ${percent} % | ${done}/${totalFiles} files | ${chunks} chunks | ${rate} chunks/s\n`,
      );
    };
    line(0, 0, 0);
    return {
      update: line,
      finish: (chunks, rate) => line(totalFiles, chunks, rate),
      stop: () => undefined,
    };
  }
  const bar = new SingleBar(
    {
      format:
        '{bar} {percentage} % | {value}/{total} files | {chunks} chunks | {rate} chunks/s | ETA {eta_formatted}',
      etaBuffer: 50,
      stream: out,
    },
    Presets.shades_classic,
  );
  bar.start(totalFiles, 0, { chunks: 0, rate: 0 });
  return {
    update: (done, chunks, rate) => {
      shown = Math.max(shown, done);
      bar.update(shown, { chunks, rate });
    },
    finish: (chunks, rate) => {
      bar.update(totalFiles, { chunks, rate });
      bar.stop();
    },
    stop: () => bar.stop(),
  };
}
