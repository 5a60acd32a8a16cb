import { Session } from 'node:inspector';
import { readFileSync, writeFileSync } from 'node:fs';
import { sep } from 'node:path';

/**
 * CPU profiles of a bench server, and the summary the benches print. The server (a child process)
 * starts and stops V8's sampling profiler over IPC through an in-process inspector session, so a
 * profile covers exactly one measured load and not start-up, warm-up or the other targets.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

/** The `.cpuprofile` format (Chrome DevTools, `node --cpu-prof`), only the fields read here. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The child's side: one profiler per process, sampled every 100 µs (V8's default is 1 ms). */
export class Profiler {
  private session: Session | null = null;

  private post<T>(method: string, params: object = {}): Promise<T> {
    const session = this.session;
    if (!session) return Promise.reject(new Error('profiler not started'));
    return new Promise<T>((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))),
    );
  }

  async start(): Promise<void> {
    this.session = new Session();
    this.session.connect();
    await this.post('Profiler.enable');
    await this.post('Profiler.setSamplingInterval', { interval: 100 });
    await this.post('Profiler.start');
  }

  /** Stops and writes the profile to `path` (open it in Chrome DevTools or speedscope). */
  async stop(path: string): Promise<void> {
    const { profile } = await this.post<{ profile: CpuProfile }>('Profiler.stop');
    this.session?.disconnect();
    this.session = null;
    writeFileSync(path, JSON.stringify(profile));
  }
}

/** Samples V8 attributes to no JavaScript function: they are reported by name, not by package. */
const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** Who a frame belongs to: `pkg` for node_modules/pkg (or @scope/pkg), `node:…` for Node's own code. */
export function packageOf(frame: CallFrame): string {
  if (SPECIAL.has(frame.functionName)) return frame.functionName;
  const url = frame.url;
  if (!url) return '(native)';
  if (url.startsWith('node:')) return url.startsWith('node:internal') ? 'node (internal)' : url;
  const marker = `node_modules${sep}`;
  const at = url.lastIndexOf(marker);
  if (at >= 0) {
    const parts = url.slice(at + marker.length).split(sep);
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const dist = url.indexOf(`${sep}dist${sep}`);
  if (dist >= 0)
    return `daiyun ${url
      .slice(dist + 6)
      .split(sep)
      .slice(0, 2)
      .join('/')}`;
  return url;
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  packages: SelfTime[];
  functions: SelfTime[];
}

/** Self time per package and per function, largest first. */
export function summarize(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; attributing it to sample i is what DevTools does.
  for (let i = 0; i < profile.samples.length; i++) {
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    total += us;
    const pkg = packageOf(frame);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
    const file = frame.url ? frame.url.split(sep).slice(-1)[0] : '';
    const name = SPECIAL.has(frame.functionName)
      ? frame.functionName
      : `${frame.functionName || '(anonymous)'}  ${pkg}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const rank = (map: Map<string, number>): SelfTime[] =>
    [...map.entries()]
      .map(([name, us]) => ({ name, ms: us / 1000, share: total ? us / total : 0 }))
      .sort((a, b) => b.ms - a.ms);
  return { totalMs: total / 1000, packages: rank(packages), functions: rank(functions) };
}

export function printProfile(title: string, path: string, top = 15): void {
  const summary = summarize(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile);
  const row = (entry: SelfTime) =>
    `  ${(entry.share * 100).toFixed(1).padStart(5)} %  ${entry.ms.toFixed(0).padStart(7)} ms  ${entry.name}`;
  console.log(`\nCPU profile of ${title}: ${path} (${summary.totalMs.toFixed(0)} ms sampled)`);
  console.log('top packages by self time:');
  for (const entry of summary.packages.slice(0, top)) console.log(row(entry));
  console.log('top functions by self time:');
  for (const entry of summary.functions.slice(0, top)) console.log(row(entry));
}
