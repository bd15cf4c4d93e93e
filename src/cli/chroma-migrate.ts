import { parseArgs } from 'node:util';
import { openEndpoint, type ChromaEndpoint } from '../vector-store/migrate/chroma-endpoint';
import { ChromaMigration, type CollectionReport } from '../vector-store/migrate/chroma-migration';
import { type VectorStoreConfig } from '../vector-store/vector-store.config';

const USAGE = `Copies every Chroma collection from one server or data folder to another, then verifies it.
  --from <url|folder>   source: a Chroma URL, or a data folder (a temporary server is started on it)
  --to <url|folder>     target (default: CHROMA_HOST), usually the Chroma service, http://chroma:8000
  --batch-size 500      records per read/write (capped at the target's maximum batch size)
  --verify-only         compare counts, every record, metadata and configuration; write nothing
Re-running is safe: records already on the target with identical content are skipped.
Records that only the target has are reported as a difference, never deleted.
URL endpoints use the API's Chroma settings (CHROMA_AUTH_TOKEN, CHROMA_AUTH_HEADER, CHROMA_TENANT,
CHROMA_DATABASE), which apply when CHROMA_HOST is set, as it is in the API's container.
Exits 1 when any collection differs after the run, 2 on bad arguments.`;

const short = (checksum: string): string => checksum.slice(0, 12);

/** One aligned row per collection, then a summary line. */
export function formatReport(reports: CollectionReport[]): string[] {
  const header = ['collection', 'source', 'target', 'copied', 'skipped', 'checksum', 'status'];
  const rows = reports.map((report) => [
    report.name,
    String(report.sourceCount),
    String(report.targetCount),
    String(report.copied),
    String(report.skipped),
    short(report.checksum),
    report.problems.length === 0 ? 'OK' : `DIFF: ${report.problems.join('; ')}`,
  ]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((row) => row[column].length)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  const failed = reports.filter((report) => report.problems.length > 0).length;
  return [
    line(header),
    ...rows.map(line),
    failed === 0
      ? `verified ${reports.length} collection(s)`
      : `${failed} of ${reports.length} collection(s) differ`,
  ];
}

/** Runs the migration for CLI arguments; returns the exit code. */
export async function runChromaMigrate(
  args: string[],
  config: VectorStoreConfig,
  print: (line: string) => void = console.log,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'batch-size': { type: 'string', default: '500' },
      'verify-only': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const http = config.http;
  const to = values.to ?? http?.url;
  const batchSize = Number(values['batch-size']);
  if (values.help || !values.from || !to || !Number.isInteger(batchSize) || batchSize < 1) {
    print(USAGE);
    return values.help ? 0 : 2;
  }
  if (values.from === to) {
    print('--from and --to name the same place');
    return 2;
  }
  const settings = {
    http: {
      authToken: http?.authToken,
      authHeader: http?.authHeader ?? 'Authorization',
      tenant: http?.tenant,
      database: http?.database,
    },
    startupTimeoutMs: config.embedded.startupTimeoutMs,
  };
  const opened: ChromaEndpoint[] = [];
  try {
    const source = await openEndpoint(values.from, settings);
    opened.push(source);
    const target = await openEndpoint(to, settings);
    opened.push(target);
    const reports = await new ChromaMigration(source, target, {
      batchSize,
      timeoutMs: config.timeoutMs,
      verifyOnly: values['verify-only'],
    }).run();
    formatReport(reports).forEach((row) => print(row));
    return reports.every((report) => report.problems.length === 0) ? 0 : 1;
  } finally {
    for (const endpoint of opened.reverse()) await endpoint.close();
  }
}
