import { parseArgs } from 'node:util';
import { uploadFolder } from '../ingest/folder-upload';

const USAGE = `Uploads a folder to the RAG API in batches of ingest jobs and waits for them.
  RAG_API_TOKEN=<jwt> npm run ingest -- <folder> [--collection docs] [--url http://localhost:3000]
  RAG_API_TOKEN           the bearer token (npm run token); there is no flag: npm echoes flags
  --url                   the API (default: RAG_API_URL, else http://localhost:3000)
  --batch-files 50        files per job
  --batch-bytes 20000000  bytes per job (one upload request)
  --max-file-bytes 20000000  larger files are reported as failed, not sent (INGEST_MAX_FILE_BYTES)
  --jobs 2                jobs queued or running at once (INGEST_MAX_JOBS_PER_USER)
Document ids are the files' paths relative to <folder> (what POST /ingest/jobs takes as file
names), so uploading the same folder again updates the same documents. Empty files are skipped.
Exits 1 when any file failed.`;

/** What the command reads from the environment (RAG_API_URL, RAG_API_TOKEN). */
export interface IngestClientEnv {
  url: string;
  token?: string;
}

/** `RAG_API_TOKEN=<jwt> node dist/cli ingest <folder> [...]`; returns the exit code. */
export async function runIngestCommand(
  args: string[],
  env: IngestClientEnv,
  out: NodeJS.WriteStream = process.stdout,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      collection: { type: 'string' },
      url: { type: 'string', default: env.url },
      // Declared only to refuse it by name, without echoing its value.
      token: { type: 'string' },
      'batch-files': { type: 'string', default: '50' },
      'batch-bytes': { type: 'string', default: '20000000' },
      'max-file-bytes': { type: 'string', default: '20000000' },
      jobs: { type: 'string', default: '2' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.token !== undefined) {
    out.write('--token is not accepted (npm prints command lines): set RAG_API_TOKEN instead\n');
    return 2;
  }
  if (values.help || positionals.length !== 1 || !env.token) {
    out.write(`${USAGE}\n`);
    if (!values.help && !env.token) out.write('RAG_API_TOKEN is not set\n');
    return values.help ? 0 : 2;
  }
  const failures = await uploadFolder(
    {
      folder: positionals[0],
      url: values.url,
      token: env.token,
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
