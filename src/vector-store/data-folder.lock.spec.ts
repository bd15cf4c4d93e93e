import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFolderLock, DataFolderLockedError } from './data-folder.lock';

describe('DataFolderLock', () => {
  let folder: string;
  const lockFile = (): string => join(folder, '.rag-api.lock');

  beforeEach(() => {
    folder = join(mkdtempSync(join(tmpdir(), 'lock-spec-')), 'chroma');
  });
  afterEach(() => rmSync(join(folder, '..'), { recursive: true, force: true }));

  it('creates the folder and records our pid', () => {
    const lock = DataFolderLock.acquire(folder);
    expect(readFileSync(lockFile(), 'utf8')).toBe(String(process.pid));
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
  });

  it('refuses a second holder at once, naming the folder and the holder pid', () => {
    const lock = DataFolderLock.acquire(folder);
    expect(() => DataFolderLock.acquire(folder)).toThrow(DataFolderLockedError);
    expect(() => DataFolderLock.acquire(folder)).toThrow(
      `the Chroma data folder ${folder} is already in use by process ${process.pid}`,
    );
    lock.release();
    DataFolderLock.acquire(folder).release();
  });

  it('refuses a folder held by another live process', () => {
    DataFolderLock.acquire(folder).release();
    writeFileSync(lockFile(), String(process.ppid));
    expect(() => DataFolderLock.acquire(folder)).toThrow(`in use by process ${process.ppid}`);
  });

  it('takes over the lock of a dead process', () => {
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)']);
    DataFolderLock.acquire(folder).release();
    writeFileSync(lockFile(), dead.stdout.toString().trim());
    const lock = DataFolderLock.acquire(folder);
    expect(readFileSync(lockFile(), 'utf8')).toBe(String(process.pid));
    lock.release();
  });

  it('takes over a lock carrying our pid from a previous life (same pid in a new container)', () => {
    DataFolderLock.acquire(folder).release();
    writeFileSync(lockFile(), String(process.pid));
    DataFolderLock.acquire(folder).release();
  });

  it('takes over an empty lock file left by a crash while creating it', () => {
    DataFolderLock.acquire(folder).release();
    writeFileSync(lockFile(), '');
    DataFolderLock.acquire(folder).release();
  });

  it('does not delete a lock another process took after ours was taken over', () => {
    const lock = DataFolderLock.acquire(folder);
    writeFileSync(lockFile(), String(process.ppid));
    lock.release();
    expect(readFileSync(lockFile(), 'utf8')).toBe(String(process.ppid));
  });
});
