import { describe, inject, it, type TestContext } from 'vitest';
import type { SectionId } from '../../checks/check.ts';
import { isFamily, REGISTRY, sectionOf } from '../../checks/registry.ts';
import type { ResultEntry } from '../../outputs/report.ts';

/** Failure as vitest shows it: the verdict, without a stack trace into labspec's own code. */
class VerdictError extends Error {
  constructor(name: string, entry: ResultEntry) {
    const lines = [
      entry.message,
      `expected: ${entry.expected}`,
      `actual:   ${entry.actual}`,
      `source:   ${entry.source}`,
    ];
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

/**
 * One section of the tutorial's checklist, on every host of every lab. `checks` must be the
 * registry's checks of that section, in its order: a renamed or moved check fails here, not silently.
 */
export function checklist(section: SectionId, checks: readonly string[]): void {
  const registered = REGISTRY.map((e) => (isFamily(e) ? e.template : e)).filter((c) => c.section === section);
  const ids = registered.map((c) => c.id);
  if (ids.join(' ') !== checks.join(' ')) {
    throw new Error(`spec for section ${section} lists [${checks.join(', ')}]; the registry has [${ids.join(', ')}]`);
  }
  const { judged, shard } = inject('labspecRun');
  const verdicts = judged.filter(({ entry }) => entry.section === section);
  describe(sectionOf(section).title, () => {
    for (const { label, entry } of verdicts) it(label, (context) => settle(context, entry));
    // vitest fails a suite without tests; a shard may hold no lab (or none -t selects), which is not an error.
    if (verdicts.length === 0 && shard) it.skip(`shard ${shard.index}/${shard.count} has no host to check`);
  });
}
