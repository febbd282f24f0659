import { z } from 'zod';
import { type CommandOutput, defineProbe } from './probe.ts';
import { partOf, splitLines, unparsable } from './text.ts';

/** Units asked of systemd, in the order `systemctl show` answers them. */
export const SERVICE_UNITS = [
  'firewalld.service',
  'NetworkManager.service',
  'chronyd.service',
  'chrony.service',
] as const;
export type ServiceUnit = (typeof SERVICE_UNITS)[number];

export const unitState = z.object({
  id: z.string(),
  /** loaded | not-found | masked | error … */
  loadState: z.string(),
  /** active | inactive | failed | activating … */
  activeState: z.string(),
  subState: z.string(),
  /** enabled | disabled | masked | static | alias | … ; empty when the unit does not exist. */
  unitFileState: z.string(),
});
export type UnitState = z.infer<typeof unitState>;

export const servicesFact = z.object({
  units: z.record(z.enum(SERVICE_UNITS), unitState),
});

export const servicesProbe = defineProbe({
  id: 'services',
  description: 'State of the lab-relevant systemd units, from one `systemctl show`.',
  example:
    '{ units: { "firewalld.service": { loadState: "loaded", activeState: "inactive", unitFileState: "disabled" } } }',
  commands: () => ({
    show: `systemctl show -p Id,LoadState,ActiveState,SubState,UnitFileState ${SERVICE_UNITS.join(' ')}`,
  }),
  schema: servicesFact,
  /**
   * One block per requested unit, in request order, blank-line separated. Blocks are matched to
   * SERVICE_UNITS by position, not by Id: an alias answers with its real name (Debian's
   * chronyd.service → Id=chrony.service). A block count other than SERVICE_UNITS.length, a missing
   * property, or a non-zero exit (systemctl missing, no systemd as PID 1) is Unparsable.
   */
  parse(outputs) {
    const show = partOf(outputs, 'show');
    if (show.exitCode !== 0) throw unparsable(`systemctl show exited ${show.exitCode}`, show);
    const blocks = parseShowBlocks(show);
    if (blocks.length !== SERVICE_UNITS.length) {
      throw unparsable(`expected ${SERVICE_UNITS.length} unit blocks, got ${blocks.length}`, show);
    }
    const units: Partial<Record<ServiceUnit, UnitState>> = {};
    SERVICE_UNITS.forEach((unit, index) => {
      units[unit] = unitStateOf(blocks[index]!, show);
    });
    return servicesFact.parse({ units });
  },
});

/**
 * `systemctl show` output as blocks of Key=value maps (blank lines separate units). A line that is
 * not Key=value, or a key repeated within a block, is Unparsable.
 */
export function parseShowBlocks(output: CommandOutput): Array<Map<string, string>> {
  const blocks: Array<Map<string, string>> = [];
  let current: Map<string, string> | null = null;
  for (const line of splitLines(output.stdout)) {
    if (line === '') {
      current = null;
      continue;
    }
    const m = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (!m) throw unparsable(`not a Key=value line: ${line}`, output);
    if (current === null) blocks.push((current = new Map()));
    if (current.has(m[1]!)) throw unparsable(`${m[1]} twice in one unit block`, output);
    current.set(m[1]!, m[2]!);
  }
  return blocks;
}

/** The five requested properties of one block; Unparsable when one is missing. */
export function unitStateOf(block: Map<string, string>, output: CommandOutput): UnitState {
  const get = (key: string): string => {
    const value = block.get(key);
    if (value === undefined) throw unparsable(`unit block without ${key}=`, output);
    return value;
  };
  const state = {
    id: get('Id'),
    loadState: get('LoadState'),
    activeState: get('ActiveState'),
    subState: get('SubState'),
    unitFileState: get('UnitFileState'),
  };
  for (const key of ['id', 'loadState', 'activeState', 'subState'] as const) {
    if (state[key] === '') throw unparsable(`empty ${key} in unit block`, output);
  }
  return state;
}
