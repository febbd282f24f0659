import { z } from 'zod';
import { defineProbe, UnparsableOutput } from './probe.ts';

/** Units asked of systemd, in the order `systemctl show` answers them. */
export const SERVICE_UNITS = ['firewalld.service', 'NetworkManager.service', 'chronyd.service', 'chrony.service'] as const;
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
  example: '{ units: { "firewalld.service": { loadState: "loaded", activeState: "inactive", unitFileState: "disabled" } } }',
  commands: () => ({
    show: `systemctl show -p Id,LoadState,ActiveState,SubState,UnitFileState ${SERVICE_UNITS.join(' ')}`,
  }),
  schema: servicesFact,
  parse() {
    throw new UnparsableOutput('parser pending', '');
  },
});
