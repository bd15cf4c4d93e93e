import { readFileSync } from 'node:fs';
import { percentile, ROOT } from './shared';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/**
 * Stages of a request, by the file a frame comes from. A sample counts for the innermost frame
 * of its stack that names a stage, so work a stage asks of Node or V8 (crypto, JSON, buffers)
 * is its own. Earlier entries win when a file matches several.
 */
const STAGES: [string, RegExp][] = [
  ['audit interceptor', /dist\/auth\/audit\.interceptor/],
  [
    'token verification (passport, jsonwebtoken, JWKS)',
    /jsonwebtoken|passport|jwks-rsa|\/jws\/|\/jwa\/|dist\/auth\//,
  ],
  [
    'body parsing (body-parser, size meter, reviver)',
    /body-parser|raw-body|iconv-lite|safe-json|request-body-meter|type-is|content-type/,
  ],
  ['validation (class-validator, class-transformer)', /class-validator|class-transformer|pipe/],
  ['logging (pino)', /pino|sonic-boom|observability\/logging/],
  [
    'metrics and tracing hooks',
    /prom-client|http-metrics|app-metrics|telemetry|operation-recorder|opentelemetry/,
  ],
  ['throttling', /throttler|auth-failure-limiter/],
  ['helmet, timeouts, connection limits', /helmet|http-hardening|connection-limits|deadline/],
  ['embedder', /dist\/embeddings\//],
  ['Chroma client (HTTP to Chroma, answer parsing)', /dist\/vector-store\//],
  ['documents service and rerank', /dist\/documents\/|dist\/collections\//],
  ['Nest core (router, guards, interceptors), rxjs', /@nestjs\/|rxjs/],
  ['Express and its helpers', /express|router|finalhandler|on-finished|send\/|qs\//],
  ['Node HTTP, sockets, timers', /^node:/],
];

const stageOf = (url: string): string | undefined => STAGES.find(([, re]) => re.test(url))?.[0];
/** A token being verified: an authenticated request being served, not boot or a health probe. */
const isRequest = (node: ProfileNode) =>
  node.callFrame.functionName === 'authenticate' &&
  node.callFrame.url.includes('auth/request-authenticator');

/**
 * Two tables from a .cpuprofile of the API under load: CPU per request by stage (samples
 * between the first and the last one verifying a token, so boot and health probes are left out)
 * and the top self-time functions.
 */
export function profileTables(file: string, requests: number, top: number): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const stack = (id: number): ProfileNode[] => {
    const frames: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
      frames.push(byId.get(at)!);
    return frames;
  };
  const inRequest = profile.samples.map((id) => stack(id).some(isRequest));
  const first = inRequest.indexOf(true);
  const last = inRequest.lastIndexOf(true);
  const stages = new Map<string, number>();
  const self = new Map<string, number>();
  // Each sample counts one nominal interval (the median delta): a delta also holds the time the
  // process waited for a core, which on a shared machine would inflate whatever ran next.
  const interval = percentile(profile.timeDeltas, 50);
  let busy = 0;
  for (let i = Math.max(first, 0); i <= last; i++) {
    const us = interval;
    const frames = stack(profile.samples[i]);
    const leaf = frames[0].callFrame;
    if (leaf.functionName === '(idle)') continue;
    busy += us;
    const special = leaf.functionName.startsWith('(') ? leaf.functionName : undefined;
    const stage =
      special ??
      frames.map((node) => stageOf(node.callFrame.url)).find(Boolean) ??
      'other (native, unattributed)';
    stages.set(stage, (stages.get(stage) ?? 0) + us);
    const where = leaf.url.replace(/^.*node_modules\//, '').replace(ROOT, '') || 'native';
    const key = `${leaf.functionName || '(anonymous)'} (${where}:${leaf.lineNumber + 1})`;
    self.set(key, (self.get(key) ?? 0) + us);
  }
  const share = (us: number) => `${((us / busy) * 100).toFixed(1)} %`;
  const lines = [
    `CPU busy ${(busy / 1000).toFixed(0)} ms over ${requests} requests: ${(busy / requests).toFixed(0)} µs per request`,
    '',
    '| stage | µs per request | share |',
    '|---|---:|---:|',
    ...[...stages.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([stage, us]) => `| ${stage} | ${(us / requests).toFixed(0)} | ${share(us)} |`),
    '',
    'Top self time:',
    ...[...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([key, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${share(us).padStart(7)}  ${key}`,
      ),
  ];
  return lines;
}
