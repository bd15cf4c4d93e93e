/** Stops the shared Chroma server started by global-setup and deletes its folder. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__TEST_CHROMA__?.destroy();
  globalThis.__TEST_CHROMA__ = undefined;
}
