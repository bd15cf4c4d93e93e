import { readdirSync, readFileSync } from 'node:fs';

/** Pids of live processes whose command line has `folder` as one of its arguments. */
export const processesUsing = (folder: string): number[] =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(folder);
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);

/** Polls `condition` every 25 ms until it holds, failing after `timeoutMs`. */
export const waitFor = async (
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};
