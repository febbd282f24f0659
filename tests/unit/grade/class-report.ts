import type { LabView } from '../../../checks/check.ts';
import { singleLab } from '../../../inventory/schema.ts';
import {
  RESULTS_SCHEMA,
  summarize,
  type HostRecord,
  type ResultEntry,
  type RunReport,
} from '../../../outputs/report.ts';
import { planChecks } from '../../../run/judge.ts';

/** How a test lab turns out: hosts that could not be read, and per `host:check` key a verdict other than pass. */
export interface LabOutcome {
  name: string;
  unreachable?: Record<string, string>;
  verdicts?: Record<string, ResultEntry['status']>;
}

const SETTINGS = singleLab.parse({ hosts: [{ name: 'controller', address: '10.0.0.100', role: 'controller' }] }).lab;

/**
 * A class run's report over the real registry: every check the judge plans for a controller and a compute1 per
 * lab, passing unless the outcome says otherwise; a host that could not be read errors every check that reads it,
 * as the judge does.
 */
export function classReport(outcomes: readonly LabOutcome[], filter: string | null = null): RunReport {
  const views: LabView[] = outcomes.map((o) => ({
    settings: { ...SETTINGS, name: o.name },
    hosts: [
      { lab: o.name, name: 'controller', address: '192.0.2.10', labAddress: '10.0.0.100', role: 'controller' },
      { lab: o.name, name: 'compute1', address: '192.0.2.11', labAddress: '10.0.0.101', role: 'compute' },
    ],
  }));
  const outcomeOf = new Map(outcomes.map((o) => [o.name, o]));
  const judged = planChecks(views).map((plan): ResultEntry => {
    const outcome = outcomeOf.get(plan.lab)!;
    const unreachable = Object.entries(outcome.unreachable ?? {});
    const key = `${plan.host ?? 'lab'}:${plan.check.id}`;
    const role = views.find((v) => v.settings.name === plan.lab)!.hosts.find((h) => h.name === plan.host)?.role;
    const skipped = plan.check.scope === 'host' && plan.check.appliesTo !== 'all' && plan.check.appliesTo !== role;
    const unread = unreachable.filter(([host]) => plan.host === null || plan.host === host);
    const status = skipped ? 'skip' : unread.length > 0 ? 'error' : (outcome.verdicts?.[key] ?? 'pass');
    return {
      lab: plan.lab,
      host: plan.host,
      check: plan.check.id,
      title: plan.check.title,
      section: plan.check.section,
      status,
      expected: 'expected',
      actual: status === 'pass' ? 'expected' : 'something else',
      source: unread.length > 0 ? 'ssh' : '/etc/somewhere:1',
      message:
        unread.length > 0
          ? `could not read ${unread.map(([h]) => h).join(', ')}: ${unread.map(([, why]) => why).join('; ')}`
          : status === 'fail'
            ? 'not as expected'
            : '',
      fix: status === 'fail' ? 'do the step again' : '',
      durationMs: 0.1,
    };
  });
  const hosts = views.flatMap((view) =>
    view.hosts.map((h): HostRecord => {
      const why = outcomeOf.get(view.settings.name)!.unreachable?.[h.name];
      return {
        lab: h.lab,
        host: h.name,
        address: h.address,
        labAddress: h.labAddress,
        role: h.role,
        transport: 'ssh',
        startedAt: '2026-03-02T09:00:00.000Z',
        durationMs: 900,
        connection: why === undefined ? { ok: true } : { ok: false, failure: 'unreachable', message: why },
        notes: [],
        commands: [],
        snapshot: `facts/${h.lab}.${h.name}.json`,
      };
    }),
  );
  const results = filter === null ? judged : judged.filter((r) => new RegExp(filter).test(r.check));
  return {
    schema: RESULTS_SCHEMA,
    run: {
      id: '20260302T090000Z-ab12',
      kind: 'live',
      gatheredBy: '20260302T090000Z-ab12',
      startedAt: '2026-03-02T09:00:00.000Z',
      durationMs: 4000,
      filter,
      checks: { profile: 'full', only: null, skip: [] },
      shard: null,
    },
    summary: summarize(results),
    hosts,
    results,
  };
}
