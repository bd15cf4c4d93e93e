/**
 * What third-party images and tools contain, pinned from their sources at the versions deployed.
 * Re-read the cited files when a pin changes; test/deploy-upstream.e2e-spec.ts checks our files
 * against these facts.
 */

export interface ImageFacts {
  /** Where each fact below was read. */
  sources: string[];
  /** Executables on the image's PATH that our health checks may call. */
  executables: string[];
  /** Executables the image does not have (the ones health checks tend to assume). */
  absent: string[];
  /** Whether `bash` handles `/dev/tcp/host/port` redirections. */
  bashDevTcp: boolean;
}

/**
 * Debian "slim" images: debuerreotype builds them with `debootstrap --variant=minbase` (Essential
 * packages plus apt: debuerreotype/debuerreotype scripts/debuerreotype-init) and then deletes only
 * docs, man pages and locales (scripts/.slimify-excludes). bash, grep and coreutils are
 * `Essential: yes` in Debian (`apt-cache show bash grep coreutils`); curl and wget are not.
 * bash enables `--enable-net-redirections` (/dev/tcp) by default (bash INSTALL, "Optional
 * Features"), and Debian's build keeps it: bookworm's bash 5.2.15 opens /dev/tcp on this machine.
 */
const DEBIAN_SLIM_EXECUTABLES = ['bash', 'sh', 'grep', 'cat', 'head', 'printf', 'timeout'];

export const IMAGES: Record<string, ImageFacts> = {
  'chromadb/chroma:1.5.9': {
    sources: [
      // The published image: Docker Hub chromadb/chroma is built from rust/Dockerfile, target cli.
      'chroma-core/chroma@1.5.9 .github/workflows/_build_release_container.yml (file: rust/Dockerfile, target: cli)',
      // cli stage: FROM runner; COPY chroma /usr/local/bin/chroma; ENTRYPOINT dumb-init -- chroma.
      // runner stage: FROM debian:stable-slim; apt-get install -y dumb-init libssl-dev ca-certificates.
      'chroma-core/chroma@1.5.9 rust/Dockerfile (stages runner and cli)',
      // debian:stable-slim was trixie when 1.5.9 was tagged (2026-05-04).
      'debuerreotype/debuerreotype scripts/debuerreotype-init, scripts/.slimify-excludes',
    ],
    executables: [...DEBIAN_SLIM_EXECUTABLES, 'dumb-init', 'chroma'],
    absent: ['curl', 'wget'],
    bashDevTcp: true,
  },
};

/**
 * The API image's final stage is FROM the official Node image's Debian slim variant. Its
 * Dockerfile (nodejs/docker-node <major>/bookworm-slim and trixie-slim/Dockerfile) installs curl,
 * wget and gnupg only to download and verify node and yarn, then marks every package auto and
 * purges them (`apt-mark auto '.*'` … `apt-get purge -y --auto-remove`); node, npm, npx and yarn
 * stay in /usr/local/bin.
 */
export const NODE_SLIM_IMAGE = /^node:\d+(\.\d+)*-(bookworm|trixie)-slim$/;
export const NODE_SLIM_FACTS: ImageFacts = {
  sources: ['nodejs/docker-node 24/bookworm-slim/Dockerfile, 24/trixie-slim/Dockerfile'],
  executables: [...DEBIAN_SLIM_EXECUTABLES, 'node', 'npm', 'npx', 'yarn'],
  absent: ['curl', 'wget'],
  bashDevTcp: true,
};

/** Facts of the image `reference` (an image name or our Dockerfile's final-stage base). */
export function imageFacts(reference: string): ImageFacts {
  const facts =
    IMAGES[reference] ?? (NODE_SLIM_IMAGE.test(reference) ? NODE_SLIM_FACTS : undefined);
  if (!facts) throw new Error(`no pinned facts for image ${reference}: add them, with sources`);
  return facts;
}

/**
 * Chroma 1.5.9 checks no credentials: the image runs `chroma run`, which starts the frontend with
 * the unit `()` authenticator (rust/cli/src/commands/run.rs:
 * `frontend_service_entrypoint_with_config(Arc::new(()), Arc::new(()), …)`), whose
 * `authenticate_and_authorize` always returns the default identity (rust/frontend/src/auth/mod.rs).
 * Source: chroma-core/chroma@1.5.9.
 */
export const CHROMA_ENFORCES_TOKEN_AUTH = false;
