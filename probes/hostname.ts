import { z } from 'zod';
import { type CommandOutput, defineProbe } from './probe.ts';
import { partOf, splitLines, unparsable } from './text.ts';

export const hostnameFact = z.object({
  /** The running (kernel) hostname, from `uname -n`. */
  hostname: z.string().min(1),
  /** The static hostname from hostnamectl; null when hostnamectl is unavailable. */
  staticHostname: z.string().nullable(),
});

export const hostnameProbe = defineProbe({
  id: 'hostname',
  description: 'The running hostname and, where hostnamectl answers, the static one that survives a reboot.',
  example: '{ hostname: "controller", staticHostname: "controller" }',
  commands: () => ({ uname: 'uname -n', hostnamectl: 'timeout 5 hostnamectl status' }),
  schema: hostnameFact,
  parse(outputs) {
    const uname = partOf(outputs, 'uname');
    const lines = splitLines(uname.stdout);
    if (uname.exitCode !== 0 || lines.length !== 1 || !/^\S+$/.test(lines[0]!)) {
      throw unparsable('uname -n did not print one hostname', uname);
    }
    const hostnamectl = partOf(outputs, 'hostnamectl');
    // Any failure (missing: 127, no D-Bus / not systemd: 1, timeout: 124) only means "not known".
    const staticHostname = hostnamectl.exitCode === 0 ? parseStaticHostname(hostnamectl) : null;
    return hostnameFact.parse({ hostname: lines[0], staticHostname });
  },
});

/**
 * `hostnamectl status`: "Key: value" lines, keys right-aligned (EL7 to 18 columns, systemd 252 to 16).
 * "Static hostname: (unset)" (systemd >= 249) is null. No Static hostname line, or a line that is not
 * "Key: value", is Unparsable.
 */
export function parseStaticHostname(output: CommandOutput): string | null {
  let value: string | undefined;
  for (const line of splitLines(output.stdout)) {
    if (line.trim() === '') continue;
    const m = /^\s*([A-Za-z][A-Za-z ]*?):(?: (.*))?$/.exec(line);
    if (!m) throw unparsable(`not a "Key: value" line: ${line}`, output);
    if (m[1] === 'Static hostname') value = (m[2] ?? '').trim();
  }
  if (value === undefined || value === '') throw unparsable('no Static hostname in hostnamectl output', output);
  if (value === '(unset)') return null;
  if (/\s/.test(value)) throw unparsable(`static hostname with whitespace: ${value}`, output);
  return value;
}
