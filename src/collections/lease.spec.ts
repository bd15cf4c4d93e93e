import { Leases } from './lease';

/** One record two claimers race for; the last write wins, as in Chroma. */
function record() {
  let stored: { owner: string } | undefined;
  return {
    claim: (leases: Leases) =>
      leases.claim({
        write: () => Promise.resolve(void (stored = { owner: leases.owner })),
        readBack: () => Promise.resolve(stored && { ...stored }),
        isOurs: (found) => found.owner === leases.owner,
      }),
  };
}

describe('Leases', () => {
  it('names this process and tells two instances apart', () => {
    const [a, b] = [new Leases(0), new Leases(0)];
    expect(a.owner).toMatch(new RegExp(`:${process.pid}:[0-9a-f]{8}$`));
    expect(a.owner).not.toBe(b.owner);
  });

  it('returns the record read back when the lease is ours', async () => {
    const leases = new Leases(0);
    await expect(record().claim(leases)).resolves.toEqual({ owner: leases.owner });
  });

  it('lets the last of two racing writers win and the other back off', async () => {
    const shared = record();
    const [first, second] = [new Leases(20), new Leases(0)];
    const slow = shared.claim(first);
    // The second writes while the first waits, so the first reads the second's lease back.
    await expect(shared.claim(second)).resolves.toEqual({ owner: second.owner });
    await expect(slow).resolves.toBeUndefined();
  });

  it('waits the settle time before reading back', async () => {
    const readBack = jest.fn().mockResolvedValue(undefined);
    const started = Date.now();
    await new Leases(30).claim({ write: () => Promise.resolve(), readBack, isOurs: () => true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(readBack).toHaveBeenCalledTimes(1);
  });
});
