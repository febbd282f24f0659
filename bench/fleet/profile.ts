/**
 * Summarizes a V8 .cpuprofile (node --cpu-prof): self time per function, self time per category
 * (labspec's folders, ssh2, node's crypto, module loading, GC, idle …) and per phase of the run.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Phase {
  name: string;
  /** Profile clock (µs, CLOCK_MONOTONIC). */
  fromUs: number;
  toUs: number;
}

export interface ProfileSummary {
  file: string;
  durationMs: number;
  sampledMs: number;
  topSelf: { fn: string; where: string; category: string; ms: number; pct: number }[];
  topInclusiveLabspec: { fn: string; where: string; ms: number; pct: number }[];
  categories: { category: string; ms: number; pct: number }[];
  phases: { name: string; wallMs: number; cpuMs: number; idleMs: number; byCategory: Record<string, number> }[];
}

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\/labspec\/dist\//, 'dist/')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/dist\//, 'dist/');
}

/** The category of a frame; frames without a script (builtins such as JSON.stringify) take their caller's. */
function categoryOf(frame: CallFrame): string | null {
  const { url, functionName } = frame;
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return 'V8/native (program)';
  if (functionName === '(root)') return 'root';
  if (url === '') return null;
  if (/\/node_modules\/ssh2\/lib\/protocol\/(kex|crypto|keyParser)/.test(url)) return 'ssh2 kex/crypto/keys';
  if (/\/node_modules\/ssh2\//.test(url)) return 'ssh2 protocol/client';
  if (/\/node_modules\/zod\//.test(url)) return 'zod';
  if (/\/node_modules\/yaml\//.test(url)) return 'yaml';
  if (/\/node_modules\/zx\//.test(url)) return 'zx';
  // labspec itself, installed (node_modules/labspec/dist/…) or from this checkout.
  if (/\/node_modules\/(?!labspec\/dist\/)/.test(url)) return 'other dependencies';
  const m =
    /\/dist\/([^/]+)\//.exec(url) ??
    /\/(gather|probes|facts|checks|run|outputs|inventory|cli|bin|lab)\/[^/]+\.ts$/.exec(url);
  if (m) {
    const folder = m[1]!;
    if (folder === 'run' && /judge/.test(url)) return 'labspec judge (run/judge)';
    if (folder === 'checks') return 'labspec checks';
    return `labspec ${folder}/`;
  }
  if (/^node:internal\/(crypto|webcrypto)|^node:crypto/.test(url)) return 'node crypto';
  if (/^node:internal\/modules|^node:internal\/vm|^node:module/.test(url)) return 'node module loading';
  if (/^node:(net|stream|internal\/stream|internal\/streams|internal\/net|tls|dns|internal\/dns)/.test(url))
    return 'node net/streams';
  if (/^node:(fs|internal\/fs|path|internal\/url)/.test(url)) return 'node fs/path';
  if (/^node:/.test(url)) return 'node other';
  return 'other';
}

export function summarizeProfile(file: string, phases: Phase[]): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n] as const));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const catCache = new Map<number, string>();
  const nodeCategory = (id: number): string => {
    const cached = catCache.get(id);
    if (cached !== undefined) return cached;
    let cur: number | undefined = id;
    let cat: string | null = null;
    while (cur !== undefined && cat === null) {
      cat = categoryOf(byId.get(cur)!.callFrame);
      if (cat === 'root') cat = 'native (no script)';
      cur = parent.get(cur);
    }
    const result = cat ?? 'native (no script)';
    catCache.set(id, result);
    return result;
  };
  const key = (f: CallFrame) => `${f.functionName || '(anonymous)'}\u0000${shortUrl(f.url)}:${f.lineNumber + 1}`;

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const categories = new Map<string, number>();
  // Phases are clipped to the profile (the first one starts at the process's start, before the profiler).
  const clipped = phases.map((p) => ({
    ...p,
    fromUs: Math.max(p.fromUs, profile.startTime),
    toUs: Math.min(p.toUs, profile.endTime),
  }));
  const phaseStats = clipped.map((p) => ({
    name: p.name,
    wallMs: Math.max(0, p.toUs - p.fromUs) / 1000,
    cpuMs: 0,
    idleMs: 0,
    byCategory: {} as Record<string, number>,
  }));
  let t = profile.startTime;
  let sampled = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const dur = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const id = profile.samples[i]!;
    const node = byId.get(id)!;
    const cat = nodeCategory(id);
    sampled += dur;
    self.set(key(node.callFrame), (self.get(key(node.callFrame)) ?? 0) + dur);
    categories.set(cat, (categories.get(cat) ?? 0) + dur);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (!/\/dist\/|\/(gather|probes|facts|checks|run|outputs|inventory|cli|bin)\/[^/]+\.ts$/.test(f.url)) continue;
      const k = key(f);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dur);
    }
    const phase = phaseStats[clipped.findIndex((p) => t >= p.fromUs && t < p.toUs)];
    if (phase) {
      if (cat === 'idle') phase.idleMs += dur;
      else phase.cpuMs += dur;
      phase.byCategory[cat] = (phase.byCategory[cat] ?? 0) + dur;
    }
  }
  const busy = sampled - (categories.get('idle') ?? 0);
  const pct = (ms: number) => Math.round((1000 * ms) / Math.max(1, busy)) / 10;
  const split = (k: string) => k.split('\u0000') as [string, string];
  return {
    file,
    durationMs: (profile.endTime - profile.startTime) / 1000,
    sampledMs: sampled,
    topSelf: [...self.entries()]
      .filter(([k]) => split(k)[0] !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([k, ms]) => {
        const [fn, where] = split(k);
        const node = profile.nodes.find((n) => key(n.callFrame) === k)!;
        return { fn, where, category: nodeCategory(node.id), ms, pct: pct(ms) };
      }),
    topInclusiveLabspec: [...inclusive.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([k, ms]) => {
        const [fn, where] = split(k);
        return { fn, where, ms, pct: pct(ms) };
      }),
    categories: [...categories.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([category, ms]) => ({ category, ms, pct: category === 'idle' ? NaN : pct(ms) })),
    phases: phaseStats,
  };
}
