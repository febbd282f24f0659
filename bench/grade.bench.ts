/**
 * The grading step of a class run, alone: `gradeClass` and the class files (class.json, class.csv, moodle.csv)
 * for N labs of 2 hosts, then history.csv/json rebuilt from H earlier runs' class.json in a runs/ folder, as
 * `labspec run` does after reading the hosts. No host and no network: the verdicts are the real registry's checks,
 * planned for each lab as the judge plans them (a fifth failing, one lab in ten unreachable, clone pairs).
 * The end-to-end time of a class of 100 labs (200 hosts), reading included, is the fleet benchmark's 200-host row
 * (its inventory is a class of labs of 2 hosts).
 *
 *   node bench/grade.bench.ts [--labs 100,200,500] [--history 30]
 *
 * Each N runs in a child process of its own, so its peak RSS is its own.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { gradeClass, type IdentityValues } from '../grade/grade.ts';
import { defaultRubric } from '../grade/rubric.ts';
import { buildClassCsv } from '../outputs/class-csv.ts';
import { buildHistory, buildHistoryCsv, readPastGrades } from '../outputs/history.ts';
import { buildMoodleCsv } from '../outputs/moodle-csv.ts';
import { classReport, type LabOutcome } from '../tests/unit/grade/class-report.ts';

const { values } = parseArgs({
  options: {
    labs: { type: 'string', default: '100,200,500' },
    history: { type: 'string', default: '30' },
    one: { type: 'string' },
  },
});
const history = Number(values.history);

if (values.one === undefined) {
  console.log(`grading a class: N labs of 2 hosts, history of ${history} earlier runs (node ${process.version})`);
  console.log('| labs | verdicts | gradeClass ms | class files ms | class.json MiB | history ms | peak RSS MiB |');
  console.log('|---|---|---|---|---|---|---|');
  for (const n of values.labs.split(',').map(Number)) {
    const row = execFileSync(
      process.execPath,
      [import.meta.filename, '--one', String(n), '--history', String(history)],
      {
        encoding: 'utf8',
      },
    );
    console.log(row.trim());
  }
} else {
  const n = Number(values.one);
  const outcomes: LabOutcome[] = Array.from({ length: n }, (_, i) => ({
    name: `student${i + 1}`,
    ...(i % 10 === 9 ? { unreachable: { compute1: 'connection refused' } } : {}),
    ...(i % 5 === 1 ? { verdicts: { 'controller:chrony.allow': 'fail', 'lab:topology.ntp': 'fail' } as const } : {}),
  }));
  const report = classReport(outcomes);
  const machine = (i: number): IdentityValues => ({
    hostKey: [`ssh-ed25519 SHA256:key${i}`],
    machineId: [(i % 7 === 6 ? i - 1 : i).toString(16).padStart(32, '0')],
    mac: [`52:54:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`],
    rootFsUuid: ['shared-image'],
  });
  const identities = outcomes.flatMap((o, i) =>
    ['controller', 'compute1'].map((host, h) => ({ lab: o.name, host, identity: machine(2 * i + h) })),
  );
  const input = { report, students: [], identities, rubric: defaultRubric() };

  let started = performance.now();
  const grade = gradeClass(input);
  const gradeMs = performance.now() - started;

  started = performance.now();
  const classJson = `${JSON.stringify(grade, null, 2)}\n`;
  buildClassCsv(grade);
  buildMoodleCsv(grade);
  const filesMs = performance.now() - started;

  const root = mkdtempSync(join(tmpdir(), 'labspec-grade-bench-'));
  try {
    for (let k = 0; k < history; k++) {
      const dir = join(root, 'runs', `2026030${k % 10}T0900${String(k).padStart(2, '0')}Z-0000`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'class.json'), classJson);
    }
    started = performance.now();
    const past = readPastGrades(join(root, 'runs'), grade.run.id);
    buildHistoryCsv(buildHistory([...past, grade]));
    const historyMs = performance.now() - started;
    const rssMiB = process.resourceUsage().maxRSS / 1024;
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    console.log(
      `| ${n} | ${report.results.length} | ${gradeMs.toFixed(0)} | ${filesMs.toFixed(0)} | ${mib(Buffer.byteLength(classJson))} | ${historyMs.toFixed(0)} | ${rssMiB.toFixed(0)} |`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
