import type { HostCheck, LabCheck } from '../checks/check.ts';
import { isFamily, REGISTRY, sectionOf } from '../checks/registry.ts';
import { PROBES } from '../probes/index.ts';

type Documented = HostCheck | LabCheck;

/** The registry with families shown by their template (`hosts.<name>`). */
function documentedChecks(): Documented[] {
  return REGISTRY.map((entry) => (isFamily(entry) ? entry.template : entry));
}

const appliesTo = (check: Documented) => (check.scope === 'lab' ? 'lab' : check.appliesTo);

export function describeChecks(): string {
  const checks = documentedChecks();
  const width = Math.max(...checks.map((c) => c.id.length));
  const lines: string[] = [];
  let section = '';
  for (const check of checks) {
    if (check.section !== section) {
      section = check.section;
      const { title, titleKo, tutorial } = sectionOf(check.section);
      lines.push('', `${title} — ${titleKo} (tutorial: ${tutorial})`);
    }
    const image = check.image.judged ? '' : `  [image profile: skipped, ${check.image.reason}]`;
    const where = appliesTo(check).padEnd(10);
    lines.push(`  ${check.id.padEnd(width)}  ${where}  ${check.points} pt  ${check.title}${image}`);
  }
  return `${lines.join('\n').trimStart()}\n`;
}

export function describeChecksJson(): string {
  const checks = documentedChecks().map((check) => ({
    id: check.id,
    scope: check.scope,
    appliesTo: appliesTo(check),
    section: check.section,
    title: check.title,
    titleKo: check.titleKo,
    points: check.points,
    fix: check.fix,
    fixKo: check.fixKo,
    hint: check.hint,
    hintKo: check.hintKo,
    image: check.image,
  }));
  return `${JSON.stringify(checks, null, 2)}\n`;
}

/** The lab address a compute node's chrony wait names, in the listing (the tutorial's controller). */
const EXAMPLE_CONTROLLER = '10.0.0.11';

export function describeProbes(): string {
  const roles = ['controller', 'compute'] as const;
  return Object.values(PROBES)
    .map((probe) => {
      const commands = new Set(
        roles.flatMap((role) =>
          Object.values(probe.commands({ role, chronySyncWaitSeconds: 10, syncSource: EXAMPLE_CONTROLLER })),
        ),
      );
      return [
        `${probe.id} — ${probe.description}`,
        ...[...commands].map((c) => `  $ ${c}`),
        `  fact: ${probe.example}`,
        '',
      ].join('\n');
    })
    .join('\n');
}
