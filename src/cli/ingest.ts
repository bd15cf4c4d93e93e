import { parseArgs } from 'node:util';
import { uploadFolder } from '../ingest/folder-upload';

const USAGE = `Uploads a folder to the RAG API in batches of ingest jobs and waits for them.
  npm run ingest -- <path> [--collection docs] [--url http://localhost:3000] --token <jwt>
  --batch-files 50        files per job
  --batch-bytes 20000000  bytes per job (one upload request)
  --max-file-bytes 20000000  larger files are reported as failed, not sent (INGEST_MAX_FILE_BYTES)
  --jobs 2                jobs queued or running at once (INGEST_MAX_JOBS_PER_USER)
Exits 1 when any file failed.`;

/** `node dist/cli ingest <path> --token <jwt> [...]`; returns the exit code. */
export async function runIngestCommand(args: string[], out = process.stdout): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      collection: { type: 'string' },
      url: { type: 'string', default: 'http://localhost:3000' },
      token: { type: 'string' },
      'batch-files': { type: 'string', default: '50' },
      'batch-bytes': { type: 'string', default: '20000000' },
      'max-file-bytes': { type: 'string', default: '20000000' },
      jobs: { type: 'string', default: '2' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || positionals.length !== 1 || !values.token) {
    out.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const failures = await uploadFolder(
    {
      folder: positionals[0],
      url: values.url,
      token: values.token,
      collection: values.collection,
      batchFiles: Number(values['batch-files']),
      batchBytes: Number(values['batch-bytes']),
      maxFileBytes: Number(values['max-file-bytes']),
      jobs: Number(values.jobs),
    },
    out,
  );
  return failures > 0 ? 1 : 0;
}
