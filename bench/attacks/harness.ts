import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Attack } from './attacks';
import { Monitor, type WindowFigures } from './monitor';
import type { AttackContext, Outcome } from './requests';
import type { AttackStack } from './stack';
import { changedCollections, fingerprint, type StoreFingerprint } from './store';

/** The invariants: a probe never waits longer, the API's RSS stays below. */
export const PROBE_STALL_MS = 2000;
export const RSS_LIMIT_MB = 1024;
/** Quiet: the API used less than this share of one core over a second, and the store held still. */
const QUIET_CPU_SHARE = 0.1;
const QUIET_TIMEOUT_MS = 90_000;
const CLOCK_TICKS_PER_S = 100;
/** Memory an attack may leave behind before the next attack gets a freshly started API. */
const LEFTOVER_RSS_MB = 100;

export interface AttackResult extends WindowFigures {
  finding: string;
  name: string;
  /** The attack's own wall time. */
  seconds: number;
  /** From its end until the API was quiet again (work it kept doing, writes it still made). */
  settleSeconds: number;
  /** Answers by status; 0 = none (timed out, reset, or a slow connection still open). */
  statuses: Record<string, number>;
  writes: { refused: number; accepted: number };
  /** Collections whose records differ after the attack (and its settling) from before it. */
  changed: string[];
  extra: Record<string, number>;
  /** The invariants this attack broke; empty when it held them all. */
  violations: string[];
}

/** CPU seconds (user + system) the process has used. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

/** Waits until the API is idle and the store stable; returns the store as it then is. */
async function quiet(stack: AttackStack): Promise<StoreFingerprint> {
  const deadline = Date.now() + QUIET_TIMEOUT_MS;
  let before = await fingerprint(stack.chroma.url);
  for (;;) {
    const cpu = cpuSeconds(stack.api.pid);
    await sleep(1000);
    const share = cpuSeconds(stack.api.pid) - cpu;
    const after = await fingerprint(stack.chroma.url);
    const stable = changedCollections(before, after).length === 0;
    if ((share < QUIET_CPU_SHARE && stable) || Date.now() > deadline) return after;
    before = after;
  }
}

export function violationsOf(
  attack: Pick<Attack, 'badInput'>,
  result: Omit<AttackResult, 'violations'>,
): string[] {
  const violations: string[] = [];
  const unanswered = result.failed.timeout + result.failed.error + result.failed.status;
  if (result.max > PROBE_STALL_MS || unanswered > 0) {
    violations.push(
      `probe waited ${result.max} ms (> ${PROBE_STALL_MS}); ${unanswered} probes unanswered`,
    );
  }
  if (result.rssPeakMb >= RSS_LIMIT_MB) {
    violations.push(`RSS ${result.rssPeakMb.toFixed(0)} MB (>= ${RSS_LIMIT_MB})`);
  }
  const fiveXx = Object.entries(result.statuses)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, count]) => sum + count, 0);
  if (attack.badInput && fiveXx > 0) violations.push(`${fiveXx} × 5xx for bad input`);
  // With every write refused, any change is a write after an error answer.
  if (result.writes.refused > 0 && result.writes.accepted === 0 && result.changed.length > 0) {
    violations.push(`store changed after refused writes: ${result.changed.join(', ')}`);
  }
  return violations;
}

/**
 * Runs the attacks one after another, each once the API is quiet, while a monitor probes it and
 * samples its RSS; `log` gets a table row per attack. An attack that broke an invariant or left
 * memory behind is followed by a freshly started API, so its leftovers (memory, work still
 * running) are not counted against the next one.
 */
export async function runAttacks(
  stack: AttackStack,
  attacks: Attack[],
  log: (line: string) => void = () => undefined,
): Promise<AttackResult[]> {
  const results: AttackResult[] = [];
  for (const attack of attacks) {
    const last = results.at(-1);
    const dirty =
      last && (last.violations.length > 0 || last.rssEndMb > last.rssStartMb + LEFTOVER_RSS_MB);
    const api = dirty ? await stack.freshApi() : stack.api;
    const monitor = Monitor.start(api.url, api.pid);
    const outcomes: Outcome[] = [];
    const context = (record: (outcome: Outcome) => void): AttackContext => ({
      url: api.url,
      bearer: (sub) => stack.bearer(sub),
      record,
    });
    let before = await quiet(stack);
    let error: string | undefined;
    let extra: Record<string, number> = {};
    let started = Date.now();
    try {
      await attack.prepare?.(context(() => undefined));
      before = await quiet(stack);
      started = Date.now();
      extra = await attack.run(context((outcome) => outcomes.push(outcome)));
    } catch (caught) {
      error = String(caught);
    }
    const ended = Date.now();
    const after = await quiet(stack);
    const settled = Date.now();
    await monitor.stop();
    const statuses: Record<string, number> = {};
    for (const { status } of outcomes) statuses[status] = (statuses[status] ?? 0) + 1;
    const writes = outcomes.filter((o) => o.write);
    const result = {
      finding: attack.finding,
      name: attack.name,
      seconds: (ended - started) / 1000,
      settleSeconds: (settled - ended) / 1000,
      statuses,
      writes: {
        refused: writes.filter((o) => o.status < 200 || o.status >= 300).length,
        accepted: writes.filter((o) => o.status >= 200 && o.status < 300).length,
      },
      changed: changedCollections(before, after),
      extra,
      ...monitor.window(started, settled),
    };
    const violations = violationsOf(attack, result);
    if (error) violations.unshift(`the attack failed: ${error}`);
    results.push({ ...result, violations });
    log(formatTable(results.slice(-1)).split('\n').slice(2).join('\n'));
  }
  return results;
}

const HEADER = [
  'finding',
  'attack',
  'time s (settle)',
  'statuses',
  'RSS MB start→peak',
  'probe p50/p99/max ms (unanswered)',
  'store changed',
  'extra',
  'violations',
];

/** A Markdown table of the results. */
export function formatTable(results: AttackResult[]): string {
  const rows = results.map((r) => [
    r.finding,
    r.name,
    `${r.seconds.toFixed(1)} (${r.settleSeconds.toFixed(1)})`,
    Object.entries(r.statuses)
      .map(([status, count]) => `${count}×${status}`)
      .join(' '),
    `${r.rssStartMb.toFixed(0)}→${r.rssPeakMb.toFixed(0)}`,
    `${r.p50}/${r.p99}/${r.max} (${r.failed.timeout + r.failed.error + r.failed.status})`,
    r.changed.join(' ') || '-',
    Object.entries(r.extra)
      .map(([key, value]) => `${key}=${value}`)
      .join(' '),
    r.violations.join('; ') || 'ok',
  ]);
  return [HEADER, HEADER.map(() => '---'), ...rows]
    .map((row) => `| ${row.join(' | ')} |`)
    .join('\n');
}
