import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** How one claim reaches its record: write our lease, read the record back, and tell whose it is. */
export interface LeaseClaim<T> {
  write: () => Promise<void>;
  readBack: () => Promise<T | undefined>;
  isOurs: (stored: T) => boolean;
}

/**
 * Leases on records in Chroma's system collections, which have no compare-and-set: a lease is
 * taken by writing it, waiting `settleMs` and reading it back. Of two tasks racing, the last
 * writer wins and the other sees the winner's record and backs off.
 */
export class Leases {
  /** This process on the leases it takes: host, pid, and a tag telling restarts apart. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(private readonly settleMs: number) {}

  /** The record as read back when the lease is ours, else undefined. */
  async claim<T>({ write, readBack, isOurs }: LeaseClaim<T>): Promise<T | undefined> {
    await write();
    await sleep(this.settleMs);
    const stored = await readBack();
    return stored !== undefined && isOurs(stored) ? stored : undefined;
  }
}
