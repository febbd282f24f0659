/**
 * Experiment: what the probe bundle costs on a host (this machine), run locally with `sh -s` as the remote shell
 * would: as labspec sends it (head only on the parts that print files); with head on every part; as it was first
 * sent (head on every part and the status through a command substitution); its framing alone (every command
 * replaced by `:`); its commands alone (no framing); framed with no head at all.
 * Run: npx node bench/experiments/bundle-cost.ts [runs]
 */
import { spawnSync } from 'node:child_process';
import { buildBundle, isFilePart } from '../../gather/bundle.ts';
import { stats } from '../fleet/measure.ts';

const runs = Number(process.argv[2] ?? 9);
const options = { role: 'controller', chronySyncWaitSeconds: 0, peers: ['10.0.0.2'] } as const;
const b = buildBundle(options);
const m = b.marker;
const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };
const prologue = b.script.split('\n').slice(0, 2);
const framed = (wrap: (command: string, key: string) => string) =>
  [
    ...prologue,
    ...b.parts.flatMap(({ probe, part, command }) => {
      const key = `${probe}.${part}`;
      return [
        `printf '\\n%s begin %s\\n' ${m} ${key}; printf '\\n%s begin %s\\n' ${m} ${key} >&2`,
        wrap(command, key),
        `printf '\\n%s end %s\\n' ${m} ${key}`,
      ];
    }),
  ].join('\n') + '\n';
const limit = b.probeOutputLimitBytes + 1;
const status = (key: string) => `printf '\\n%s end %s %s\\n' ${m} ${key} $? >&2`;
const cut = (command: string, key: string) => `{ { ${command}\n} </dev/null; ${status(key)}; } | head -c ${limit}`;
/** The first framing: head on every part, the status back through a command substitution and fds 8 and 9. */
const framedBefore =
  [
    ...prologue,
    'exec 9>&1',
    ...b.parts.flatMap(({ probe, part, command }) => {
      const key = `${probe}.${part}`;
      return [
        `printf '\\n%s begin %s\\n' ${m} ${key}; printf '\\n%s begin %s\\n' ${m} ${key} >&2`,
        `labspec_status=$( { { { ${command}\n} </dev/null 8>&- 9>&-; echo $? >&8; } | head -c ${limit} >&9; } 8>&1 )`,
        `printf '\\n%s end %s %s\\n' ${m} ${key} "$labspec_status"; printf '\\n%s end %s\\n' ${m} ${key} >&2`,
      ];
    }),
  ].join('\n') + '\n';
const plain = (command: string, key: string) => `{ ${command}\n} </dev/null; ${status(key)}`;
const scripts: [string, string][] = [
  ['as sent (head on the file parts only)', b.script],
  ['head on every part', framed(cut)],
  ['as first sent (head on every part, status via $( ))', framedBefore],
  ['framing alone (commands → :)', framed((_, key) => cut(':', key))],
  ['commands alone (no framing)', b.parts.map((p) => `{ ${p.command}\n} </dev/null`).join('\n') + '\n'],
  ['framed, no head at all', framed(plain)],
];
const samples = scripts.map(() => [] as number[]);
for (let r = 0; r < runs; r++)
  for (const [i, [, script]] of scripts.entries()) {
    const start = performance.now();
    spawnSync('/bin/sh', ['-s'], { input: script, env, stdio: ['pipe', 'ignore', 'ignore'] });
    samples[i]!.push(performance.now() - start);
  }
console.log(
  `${b.parts.length} parts, ${Buffer.byteLength(b.script)} bytes; head on: ${b.parts
    .filter((p) => isFilePart(p.probe, p.part))
    .map((p) => `${p.probe}.${p.part}`)
    .join(' ')}`,
);
for (const [i, [what]] of scripts.entries()) {
  const s = stats(samples[i]!);
  console.log(`${what.padEnd(52)} median ${s.median.toFixed(0)} ms (${s.min.toFixed(0)}–${s.max.toFixed(0)})`);
}
