import { destination } from 'pino';

/** How log lines are written: JSON for machines, one readable line each for a person. */
export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT=auto: readable on a terminal, JSON when stdout goes to a file, pipe or collector. */
export const logFormatFor = (
  setting: 'auto' | LogFormat,
  stdoutIsTerminal: boolean | undefined,
): LogFormat => (setting === 'auto' ? (stdoutIsTerminal ? 'pretty' : 'json') : setting);

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

interface LogRecord {
  level?: number;
  time?: number;
  msg?: string;
  context?: string;
  req?: { id?: string; method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
  err?: { stack?: string; message?: string };
}

/** One pino JSON record as `12:00:01.234 INFO  [Context] message`, requests as method, path, status, time. */
export function prettyLine(record: LogRecord): string {
  const time = new Date(record.time ?? Date.now()).toISOString().slice(11, 23);
  const level = (LEVEL_NAMES[record.level ?? 30] ?? String(record.level)).padEnd(5);
  const context = record.context ? `[${record.context}] ` : '';
  const { req, res } = record;
  const text =
    req && res
      ? `${req.method} ${req.url} ${res.statusCode} ${record.responseTime} ms (request ${req.id})`
      : (record.msg ?? '');
  const stack = record.err && (record.level ?? 0) >= 50 ? `\n${record.err.stack}` : '';
  return `${time} ${level} ${context}${text}${stack}\n`;
}

/** A pino stream that rewrites each JSON line readably onto stdout, unbuffered (a terminal reads it live). */
export function prettyStdout(): { write(line: string): void } {
  const out = destination({ dest: 1, sync: true });
  return {
    write: (line) => {
      let record: LogRecord;
      try {
        record = JSON.parse(line) as LogRecord;
      } catch {
        out.write(line);
        return;
      }
      out.write(prettyLine(record));
    },
  };
}
