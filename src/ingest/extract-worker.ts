import { Worker } from 'node:worker_threads';
import { DecompressionLimitError, FileRejectedError } from './file-format';

/**
 * What a reader worker posts: parts of text (a PDF's pages, a DOCX's one text), then `done`;
 * or an error, `error` being one of the codes below or the reader's own message.
 */
export type ReaderMessage = { text: string } | { done: true } | { error: string; part?: number };

/** Codes a reader posts for the limits it enforces itself. */
export const DECOMPRESSION_LIMIT = 'DECOMPRESSION_LIMIT';
export const TEXT_LIMIT = 'TEXT_LIMIT';

/** A file whose text, all parts together, is longer than INGEST_MAX_FILE_TEXT_BYTES. */
export class FileTextLimitError extends FileRejectedError {
  constructor({ maxFileTextBytes }: Pick<ExtractLimits, 'maxFileTextBytes'>, page?: number) {
    super(
      `has more than ${maxFileTextBytes} bytes of text${page === undefined ? '' : ` by page ${page}`} (INGEST_MAX_FILE_TEXT_BYTES)`,
    );
  }
}

/** What extracting one file may cost; each limit's refusal names its setting. */
export interface ExtractLimits {
  /** INGEST_EXTRACT_TIMEOUT_MS: the worker is stopped after this. */
  timeoutMs: number;
  /** INGEST_EXTRACT_WORKER_MAX_HEAP_MB: past it the worker dies, the file fails. */
  maxHeapMb: number;
  /** INGEST_MAX_DECOMPRESSED_BYTES, for the refusal's message. */
  maxDecompressedBytes: number;
  /** MAX_TEXT_BYTES: the text of one part (one document); longer texts are cut in parts. */
  maxTextBytes: number;
  /** INGEST_MAX_FILE_TEXT_BYTES: the text of all of a file's parts and pages together. */
  maxFileTextBytes: number;
  /** Aborted (the request's deadline): the worker is stopped at once and the reason thrown. */
  signal?: AbortSignal;
}

/**
 * Runs a reader (a CommonJS source) in a worker thread with a bounded heap: a hostile file can
 * neither block the event loop nor take the process's memory, and the worker is stopped on
 * timeout or abort. Resolves with the parts the reader posted; every failure of the file is a
 * FileRejectedError (`what` names the format), an abort is the signal's reason.
 */
export async function runReader(
  what: string,
  source: string,
  workerData: Record<string, unknown>,
  limits: ExtractLimits,
): Promise<string[]> {
  const { signal } = limits;
  signal?.throwIfAborted();
  const worker = new Worker(source, {
    eval: true,
    resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb },
    workerData: { ...workerData, maxFileTextBytes: limits.maxFileTextBytes },
  });
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<string[]>((resolve, reject) => {
      const parts: string[] = [];
      timer = setTimeout(
        () =>
          reject(
            new FileRejectedError(
              `${what} text extraction took over ${limits.timeoutMs} ms (INGEST_EXTRACT_TIMEOUT_MS)`,
            ),
          ),
        limits.timeoutMs,
      );
      onAbort = () => reject(signal!.reason as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.on('message', (message: ReaderMessage) => {
        if ('text' in message) parts.push(message.text);
        else if ('done' in message) resolve(parts);
        else reject(readerError(what, message, limits));
      });
      worker.once('error', (error: Error & { code?: string }) =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new FileRejectedError(
                `${what} reader ran out of its ${limits.maxHeapMb} MB heap (INGEST_EXTRACT_WORKER_MAX_HEAP_MB)`,
              )
            : new FileRejectedError(`unreadable ${what}: ${error.message}`),
        ),
      );
      worker.once('exit', () =>
        reject(new FileRejectedError(`${what} reader stopped unexpectedly`)),
      );
    });
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    await worker.terminate();
  }
}

function readerError(
  what: string,
  { error, part }: { error: string; part?: number },
  limits: ExtractLimits,
): FileRejectedError {
  if (error === DECOMPRESSION_LIMIT)
    return new DecompressionLimitError(limits.maxDecompressedBytes);
  if (error === TEXT_LIMIT) return new FileTextLimitError(limits, part);
  return new FileRejectedError(`unreadable ${what}: ${error}`);
}
