import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_FILE = '.rag-api.lock';

export class DataFolderLockedError extends Error {
  constructor(
    readonly folder: string,
    readonly holderPid: number,
  ) {
    super(
      `the Chroma data folder ${folder} is already in use by process ${holderPid}; ` +
        'stop that process or point CHROMA_PATH at another folder',
    );
    this.name = 'DataFolderLockedError';
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Exclusive ownership of a data folder by one process, so two APIs never run two Chroma servers
 * on the same files. The lock file holds the owner's pid: a lock whose owner is dead (the API was
 * SIGKILLed) is taken over at once instead of waiting for a staleness timeout.
 */
export class DataFolderLock {
  /** Lock files this process holds: our own pid in any other lock file is a previous life's. */
  private static readonly held = new Set<string>();

  private constructor(
    readonly folder: string,
    private readonly file: string,
  ) {}

  /** Takes the lock or throws DataFolderLockedError naming the folder and the holder's pid. */
  static acquire(folder: string): DataFolderLock {
    mkdirSync(folder, { recursive: true });
    const file = join(folder, LOCK_FILE);
    for (;;) {
      try {
        // 'wx' fails if the file exists, which makes creating it the atomic acquire.
        writeFileSync(file, String(process.pid), { flag: 'wx' });
        DataFolderLock.held.add(file);
        return new DataFolderLock(folder, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = DataFolderLock.readHolder(file);
      // Containers often give the API the same pid on every start, hence the `held` check.
      const ours = holder === process.pid && !DataFolderLock.held.has(file);
      if (holder !== undefined && !ours && isAlive(holder)) {
        throw new DataFolderLockedError(folder, holder);
      }
      DataFolderLock.removeIfPresent(file);
    }
  }

  release(): void {
    if (!DataFolderLock.held.delete(this.file)) return;
    if (DataFolderLock.readHolder(this.file) === process.pid) {
      DataFolderLock.removeIfPresent(this.file);
    }
  }

  /** undefined when the file vanished or holds no pid (a crash between create and write). */
  private static readHolder(file: string): number | undefined {
    try {
      const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  private static removeIfPresent(file: string): void {
    try {
      unlinkSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
