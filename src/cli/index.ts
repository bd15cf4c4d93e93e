/**
 * `node dist/cli <command> [arguments]` (`npm run <command> -- [arguments]` from the sources):
 * the one entry point of the command-line tools. Each command is loaded only when asked for,
 * so a token does not boot the API's module graph.
 */
const COMMANDS: Record<string, { summary: string; run: (args: string[]) => Promise<number> }> = {
  reindex: {
    summary: 'rebuild a collection, or --all on another embedder, with the configured embedder',
    run: async (args) => (await import('./reindex')).runReindexCommand(args),
  },
  token: {
    summary: 'print a token from the local development issuer',
    run: async (args) => {
      const [{ tokenFromArgs, signingKeyReport }, { authConfigFrom }, { readEnv }] =
        await Promise.all([
          import('./token'),
          import('../auth/auth.config'),
          import('../config/env'),
        ]);
      const env = readEnv();
      const auth = authConfigFrom(env);
      console.log(tokenFromArgs(args, auth));
      for (const line of await signingKeyReport(args, auth, env.PORT)) console.error(line);
      return 0;
    },
  },
  ingest: {
    summary: 'upload a folder to the API as ingest jobs',
    run: async (args) => {
      const [{ runIngestCommand }, { readEnv }] = await Promise.all([
        import('./ingest'),
        import('../config/env'),
      ]);
      const env = readEnv();
      return runIngestCommand(args, { url: env.RAG_API_URL, token: env.RAG_API_TOKEN });
    },
  },
  'chroma-migrate': {
    summary: 'copy every Chroma collection to another server or folder, then verify',
    run: async (args) => {
      const [{ runChromaMigrate }, { vectorStoreConfigFrom }, { readEnv }] = await Promise.all([
        import('./chroma-migrate'),
        import('../vector-store/vector-store.config'),
        import('../config/env'),
      ]);
      return runChromaMigrate(args, vectorStoreConfigFrom(readEnv()));
    },
  },
  smoke: {
    summary: 'smoke-test a deployed API',
    run: async (args) => (await import('./smoke')).runSmokeCli(args),
  },
};

const USAGE = [
  'Usage: node dist/cli <command> [--help | arguments]',
  ...Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(16)}${summary}`),
].join('\n');

/** Runs the named command; returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    console.log(USAGE);
    return name === '--help' ? 0 : 2;
  }
  return command.run(args);
}

if (require.main === module) {
  // Exit explicitly: a scheduled job must end even if a library leaves a handle open.
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
