import { readFileSync } from 'node:fs';
import { embeddedRuntime } from '../src/vector-store/chroma-server.process';
import { CHROMA_RELEASE } from './support/chroma-release';
import { compareVersions, hostGlibc } from './support/chroma-runtime';
import { parseDockerfile, readRepoFile, readYaml } from './support/deploy-files';
import { versionNeeds } from './support/elf-version-needs';

interface Platform {
  os: string;
  /** glibc release, i.e. the newest GLIBC_ symbol version libc.so.6 defines. */
  glibc: string;
  /** The newest GLIBCXX_ symbol version the system libstdc++.so.6 defines. */
  glibcxx: string;
}

/**
 * CodeBuild images by identifier: the OS is the first FROM of the image's Dockerfile in
 * aws/aws-codebuild-docker-images (commit 1590e48, 2026-04-09): al/x86_64/standard/5.0 and 6.0
 * amazonlinux:2023, ubuntu/standard/7.0 ubuntu:22.04, ubuntu/standard/8.0 ubuntu:24.04.
 * glibc and libstdc++ are those of the OS's own packages: Amazon Linux 2023 glibc 2.34 and
 * libstdc++ of GCC 11 (GLIBCXX_3.4.29); Ubuntu 22.04 libc6 2.35 and libstdc++6 12
 * (GLIBCXX_3.4.30); Ubuntu 24.04 libc6 2.39 and libstdc++6 14 (GLIBCXX_3.4.33); Debian 12
 * bookworm libc6 2.36 and libstdc++6 12.2 (GLIBCXX_3.4.30).
 */
const BUILD_IMAGES: Record<string, Platform> = {
  'aws/codebuild/amazonlinux2-x86_64-standard:5.0': {
    os: 'Amazon Linux 2023',
    glibc: '2.34',
    glibcxx: '3.4.29',
  },
  'aws/codebuild/amazonlinux-x86_64-standard:6.0': {
    os: 'Amazon Linux 2023',
    glibc: '2.34',
    glibcxx: '3.4.29',
  },
  'aws/codebuild/standard:7.0': { os: 'Ubuntu 22.04', glibc: '2.35', glibcxx: '3.4.30' },
  'aws/codebuild/standard:8.0': { os: 'Ubuntu 24.04', glibc: '2.39', glibcxx: '3.4.33' },
};
const DEBIAN_BOOKWORM: Platform = { os: 'Debian 12', glibc: '2.36', glibcxx: '3.4.30' };

interface Needs {
  glibc: string;
  glibcxx: string;
}

/** The newest `PREFIX_x.y` version of all the libraries' needs. */
const newest = (needs: Map<string, string[]>, prefix: string): string =>
  [...needs.values()]
    .flat()
    .filter((version) => version.startsWith(`${prefix}_`))
    .map((version) => version.slice(prefix.length + 1))
    .reduce((a, b) => (compareVersions(a, b) >= 0 ? a : b));

function needsOf(bindingPath: string): Needs {
  const needs = versionNeeds(bindingPath);
  return { glibc: newest(needs, 'GLIBC'), glibcxx: newest(needs, 'GLIBCXX') };
}

const satisfies = (platform: Platform, needs: Needs): boolean =>
  compareVersions(platform.glibc, needs.glibc) >= 0 &&
  compareVersions(platform.glibcxx, needs.glibcxx) >= 0;

const embedded = needsOf(embeddedRuntime().bindingPath);
const release = needsOf(require.resolve(CHROMA_RELEASE.bindingAlias));

describe('the glibc each installed Chroma binding needs, read from its ELF file', () => {
  it('the embedded binding (npm start) needs glibc 2.34 and GLIBCXX_3.4.29', () => {
    expect(embedded).toEqual({ glibc: '2.34', glibcxx: '3.4.29' });
  });

  it("the deployed release's binding needs the glibc its test launcher checks for", () => {
    expect(release).toEqual({ glibc: CHROMA_RELEASE.glibc, glibcxx: '3.4.29' });
  });
});

describe('platforms that run the Chroma bindings', () => {
  const pipeline = readYaml<{ build: { image: string } }>(
    'copilot/pipelines/rag-api-main/manifest.yml',
  );

  it("the pipeline's build image runs both bindings natively", () => {
    const image = BUILD_IMAGES[pipeline.build.image];
    expect(image).toBeDefined();
    expect(satisfies(image, embedded)).toBe(true);
    expect(satisfies(image, release)).toBe(true);
  });

  it('the former build image (Amazon Linux 2023) could not run the release binding', () => {
    const former = BUILD_IMAGES['aws/codebuild/amazonlinux2-x86_64-standard:5.0'];
    expect([satisfies(former, embedded), satisfies(former, release)]).toEqual([true, false]);
  });

  // The final stage drops the binding (CHROMA_HOST only); this keeps the embedded strategy
  // possible on that base should an image ship it again.
  it("the API image's runtime base (Debian bookworm) runs the embedded binding", () => {
    const stages = parseDockerfile(readRepoFile('docker/Dockerfile'));
    expect(stages[stages.length - 1].base).toMatch(/-bookworm(-slim)?$/);
    expect(satisfies(DEBIAN_BOOKWORM, embedded)).toBe(true);
  });

  it('the Debian bookworm row matches this machine when it runs bookworm', () => {
    const osRelease = readFileSync('/etc/os-release', 'utf8');
    if (!/^VERSION_CODENAME=bookworm$/m.test(osRelease)) return;
    expect(hostGlibc()).toBe(DEBIAN_BOOKWORM.glibc);
  });
});
