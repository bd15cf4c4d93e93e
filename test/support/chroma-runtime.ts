import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { coerce, compare } from 'semver';
import type { ChromaServerRuntime } from '../../src/vector-store/chroma-server.process';
import { CHROMA_RELEASE } from './chroma-release';

const TRIXIE_GLIBC_SCRIPT = join(__dirname, '..', '..', 'scripts', 'trixie-glibc.sh');

/** Compares dotted versions (glibc `2.39`, GLIBCXX `3.4.29`) numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((version) => {
    const parsed = coerce(version);
    if (!parsed) throw new Error(`not a version: ${version}`);
    return parsed;
  });
  return compare(x, y);
}

/** The glibc this node runs on; undefined on non-glibc platforms. */
export function hostGlibc(): string | undefined {
  const report = process.report.getReport() as { header: { glibcVersionRuntime?: string } };
  return report.header.glibcVersionRuntime;
}

/** Fetches (once, then cached) Debian trixie's loader and C/C++ runtime; returns their folder. */
function trixieGlibc(host: string): string {
  try {
    const root = execFileSync(TRIXIE_GLIBC_SCRIPT, { encoding: 'utf8', stdio: 'pipe' }).trim();
    return join(root, 'usr', 'lib', 'x86_64-linux-gnu');
  } catch (error) {
    const detail = String((error as { stderr?: string }).stderr ?? error)
      .trim()
      .split('\n')
      .pop();
    throw new Error(
      `the Chroma ${CHROMA_RELEASE.tag} test server needs glibc ${CHROMA_RELEASE.glibc} (this host has ${host}) ` +
        `and scripts/trixie-glibc.sh, which fetches Debian trixie's for it, failed: ${detail}`,
    );
  }
}

let cached: ChromaServerRuntime | undefined;

/**
 * The deployed release's server (binding CHROMA_RELEASE.bindingVersion): started by node itself
 * when the host glibc is new enough, else through Debian trixie's dynamic loader and libraries.
 */
export function releaseRuntime(): ChromaServerRuntime {
  if (cached) return cached;
  const bindingPath = require.resolve(CHROMA_RELEASE.bindingAlias);
  const host = hostGlibc();
  if (!host || compareVersions(host, CHROMA_RELEASE.glibc) >= 0) {
    cached = { bindingPath, launcher: [] };
  } else {
    const libs = trixieGlibc(host);
    cached = {
      bindingPath,
      launcher: [join(libs, 'ld-linux-x86-64.so.2'), '--library-path', libs],
    };
  }
  return cached;
}
