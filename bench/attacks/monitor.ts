import { Worker } from 'node:worker_threads';

/** Nearest-rank percentile. */
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
};

/**
 * Runs in its own thread, so the attack traffic this process drives (or a synchronous payload
 * build) never delays a probe or a sample. A string, so it runs the same under ts-node and jest.
 * Probes: GET /health/live on a fresh connection every `probeMs`, one at a time, each given up
 * after `timeoutMs`. Samples: VmRSS of the API and of its child processes every `sampleMs`.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { get } = require('node:http');
const { readFileSync, readdirSync } = require('node:fs');
const { url, pid, probeMs, sampleMs, timeoutMs } = workerData;
const { hostname, port } = new URL(url);
let running = true;
parentPort.on('message', () => { running = false; });

const rssKb = (p) => {
  try {
    const match = /VmRSS:\\s+(\\d+) kB/.exec(readFileSync('/proc/' + p + '/status', 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch { return 0; }
};
let children = [];
const findChildren = () => {
  children = readdirSync('/proc').filter((e) => /^\\d+$/.test(e)).filter((p) => {
    try { return readFileSync('/proc/' + p + '/stat', 'utf8').split(') ')[1].split(' ')[1] === String(pid); }
    catch { return false; }
  });
};
findChildren();
const childTimer = setInterval(findChildren, 1000);
const sampleTimer = setInterval(() => {
  const kb = rssKb(pid) + children.reduce((sum, p) => sum + rssKb(p), 0);
  parentPort.postMessage({ kind: 'rss', at: Date.now(), mb: kb / 1024, children: children.length });
}, sampleMs);

const probe = () => new Promise((resolve) => {
  const started = Date.now();
  const done = (outcome) => resolve({ kind: 'probe', at: started, ms: Date.now() - started, outcome });
  const req = get({ host: hostname, port, path: '/health/live', agent: false, timeout: timeoutMs }, (res) => {
    res.resume();
    res.on('end', () => done(res.statusCode === 200 ? 'ok' : 'status ' + res.statusCode));
    res.on('error', () => done('error'));
  });
  req.on('timeout', () => { req.destroy(); done('timeout'); });
  req.on('error', () => done('error'));
});

(async () => {
  while (running) {
    const result = await probe();
    parentPort.postMessage(result);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, probeMs - result.ms)));
  }
  clearInterval(childTimer);
  clearInterval(sampleTimer);
  parentPort.postMessage({ kind: 'stopped' });
})();
`;

interface ProbeSample {
  kind: 'probe';
  at: number;
  ms: number;
  /** `ok`, `timeout`, `error` (refused or reset) or `status <code>`. */
  outcome: string;
}
interface RssSample {
  kind: 'rss';
  at: number;
  mb: number;
  children: number;
}

/** What the probe and the sampler saw in a time window; latencies in ms. */
export interface WindowFigures {
  probes: number;
  p50: number;
  p99: number;
  max: number;
  /** Probes that got no 200: timed out, refused/reset, or another status. */
  failed: { timeout: number; error: number; status: number };
  rssStartMb: number;
  rssPeakMb: number;
  rssEndMb: number;
  /** Most child processes of the API seen (their RSS is included). */
  children: number;
}

/** The /health/live probe and the RSS sampler of one API process, in a worker thread. */
export class Monitor {
  private readonly probes: ProbeSample[] = [];
  private readonly samples: RssSample[] = [];
  private readonly stopped: Promise<void>;

  private constructor(private readonly worker: Worker) {
    let resolveStopped!: () => void;
    this.stopped = new Promise((resolve) => (resolveStopped = resolve));
    worker.on('message', (message: ProbeSample | RssSample | { kind: 'stopped' }) => {
      if (message.kind === 'probe') this.probes.push(message);
      else if (message.kind === 'rss') this.samples.push(message);
      else resolveStopped();
    });
  }

  static start(
    url: string,
    pid: number,
    { probeMs = 100, sampleMs = 100, timeoutMs = 10_000 } = {},
  ): Monitor {
    return new Monitor(
      new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { url, pid, probeMs, sampleMs, timeoutMs },
      }),
    );
  }

  /** Figures for probes started and samples taken in [from, to] (epoch ms). */
  window(from: number, to: number): WindowFigures {
    const probes = this.probes.filter((p) => p.at >= from && p.at <= to);
    const samples = this.samples.filter((s) => s.at >= from && s.at <= to);
    const latencies = probes.map((p) => p.ms);
    const count = (test: (outcome: string) => boolean) =>
      probes.filter((p) => test(p.outcome)).length;
    return {
      probes: probes.length,
      p50: latencies.length ? percentile(latencies, 50) : NaN,
      p99: latencies.length ? percentile(latencies, 99) : NaN,
      max: latencies.length ? Math.max(...latencies) : NaN,
      failed: {
        timeout: count((o) => o === 'timeout'),
        error: count((o) => o === 'error'),
        status: count((o) => o.startsWith('status')),
      },
      rssStartMb: samples[0]?.mb ?? NaN,
      rssPeakMb: samples.length ? Math.max(...samples.map((s) => s.mb)) : NaN,
      rssEndMb: samples.at(-1)?.mb ?? NaN,
      children: samples.length ? Math.max(...samples.map((s) => s.children)) : 0,
    };
  }

  /** Stops after the probe in flight (at most its timeout) and ends the thread. */
  async stop(): Promise<void> {
    this.worker.postMessage('stop');
    await this.stopped;
    await this.worker.terminate();
  }
}
