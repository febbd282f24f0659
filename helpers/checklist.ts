import { describe, inject, it, type TestContext } from 'vitest';
import { evaluateHostCheck, evaluateLabCheck, type HostCheck, type Lab, type LabCheck, type ObservedHost, type Verdict } from '../checks/check.ts';
import type { ResultEntry } from '../outputs/result-entry.ts';

type HostChecks = HostCheck[] | ((lab: Lab) => HostCheck[]);

/** Failure as vitest shows it: the verdict, without a stack trace into labspec's own code. */
class VerdictError extends Error {
  constructor(name: string, entry: ResultEntry) {
    const lines = [entry.message, `expected: ${entry.expected}`, `actual:   ${entry.actual}`, `source:   ${entry.source}`];
    if (entry.fix) lines.push(`fix:      ${entry.fix}`);
    super(lines.join('\n'));
    this.name = name;
    this.stack = `${name}: ${this.message}`;
  }
}

function settle(context: TestContext, entry: ResultEntry): void {
  context.task.meta.labspec = entry;
  if (entry.status === 'skip') context.skip(entry.message);
  if (entry.status === 'fail') throw new VerdictError('CheckFailed', entry);
  if (entry.status === 'error') throw new VerdictError('CheckError', entry);
}

function entry(lab: string, host: string | null, check: HostCheck | LabCheck, verdict: Verdict): ResultEntry {
  return { lab, host, check: check.id, title: check.title, ...verdict };
}

function labsOfRun() {
  const run = inject('labspecRun');
  const multipleLabs = run.labs.length > 1;
  return run.labs.map((lab) => ({
    view: { settings: lab.settings, hosts: lab.hosts.map((h) => h.identity) } satisfies Lab,
    observed: lab.hosts.map((h): ObservedHost => ({ spec: h.identity, facts: h.facts, unreachable: h.unreachable })),
    prefix: multipleLabs ? `${lab.settings.name}/` : '',
  }));
}

/** One section of the tutorial's checklist, checked on every host of every lab. */
export function checklist(section: string, checks: HostChecks): void {
  describe(section, () => {
    for (const lab of labsOfRun()) {
      const resolved = typeof checks === 'function' ? checks(lab.view) : checks;
      for (const host of lab.observed) {
        describe(`${lab.prefix}${host.spec.name}`, () => {
          for (const check of resolved) {
            it(check.id, (context) => settle(context, entry(lab.view.settings.name, host.spec.name, check, evaluateHostCheck(check, { lab: lab.view, host }))));
          }
        });
      }
    }
  });
}

/** Checks that compare the hosts of a lab with each other. */
export function labChecklist(section: string, checks: LabCheck[]): void {
  describe(section, () => {
    for (const lab of labsOfRun()) {
      describe(`${lab.prefix}${lab.view.settings.name} (cross-host)`, () => {
        for (const check of checks) {
          it(check.id, (context) =>
            settle(context, entry(lab.view.settings.name, null, check, evaluateLabCheck(check, { lab: lab.view, hosts: lab.observed }))),
          );
        }
      });
    }
  });
}
