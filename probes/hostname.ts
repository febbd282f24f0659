import { z } from 'zod';
import { type CommandOutput, defineProbe } from './probe.ts';
import { isMissingFile, oneLine, partOf, splitLines, unparsable } from './text.ts';

/**
 * What one source says of the static hostname, the name the host takes at boot:
 * - `set`: a name;
 * - `unset`: the source says there is none (`shown`: how it said so — hostnamectl's "(unset)" or
 *   "n/a", /etc/hostname missing, empty or only comments);
 * - `unread`: the source could not be read (`reason`), so it says nothing either way.
 */
export const staticHostnameReading = z.discriminatedUnion('state', [
  z.object({ state: z.literal('set'), name: z.string().min(1) }),
  z.object({ state: z.literal('unset'), shown: z.string().min(1) }),
  z.object({ state: z.literal('unread'), reason: z.string().min(1) }),
]);
export type StaticHostnameReading = z.infer<typeof staticHostnameReading>;

export const hostnameFact = z.object({
  /** The running (kernel) hostname, from `uname -n`. */
  hostname: z.string().min(1),
  /** The static hostname as each source tells it: systemd's hostnamed, and the file it reads at boot. */
  staticHostname: z.object({
    hostnamectl: staticHostnameReading,
    etcHostname: staticHostnameReading,
  }),
});

export const hostnameProbe = defineProbe({
  id: 'hostname',
  description:
    'The running hostname, and the static one that survives a reboot, from hostnamectl and from /etc/hostname.',
  example:
    '{ hostname: "controller", staticHostname: { hostnamectl: { state: "set", name: "controller" }, etcHostname: { state: "set", name: "controller" } } }',
  fileParts: ['etcHostname'],
  commands: () => ({
    uname: 'uname -n',
    hostnamectl: 'timeout 5 hostnamectl status',
    etcHostname: 'cat /etc/hostname',
  }),
  schema: hostnameFact,
  parse(outputs) {
    const uname = partOf(outputs, 'uname');
    const lines = splitLines(uname.stdout);
    if (uname.exitCode !== 0 || lines.length !== 1 || !/^\S+$/.test(lines[0]!)) {
      throw unparsable('uname -n did not print one hostname', uname);
    }
    const hostnamectl = partOf(outputs, 'hostnamectl');
    const etcHostname = partOf(outputs, 'etcHostname');
    return hostnameFact.parse({
      hostname: lines[0],
      staticHostname: {
        // Any failure (missing: 127, no D-Bus / not systemd: 1, timeout: 124) means hostnamectl told nothing.
        hostnamectl:
          hostnamectl.exitCode === 0
            ? parseStaticHostname(hostnamectl)
            : { state: 'unread', reason: failure('hostnamectl status', hostnamectl) },
        etcHostname: isMissingFile(etcHostname)
          ? { state: 'unset', shown: 'missing' }
          : etcHostname.exitCode === 0
            ? parseEtcHostname(etcHostname)
            : { state: 'unread', reason: failure('cat /etc/hostname', etcHostname) },
      },
    });
  },
});

function failure(command: string, output: CommandOutput & { exitCode: number }): string {
  if (output.exitCode === 124) return `${command} timed out`;
  const said = splitLines(output.stderr).find((l) => l.trim() !== '');
  return oneLine(`${command} exited ${output.exitCode}${said ? `: ${said.trim()}` : ''}`);
}

/** What hostnamectl prints for a static hostname that is not set: "(unset)" (systemd 252), "n/a" (EL7's 219, and up to 251). */
const UNSET = new Set(['(unset)', 'n/a']);

/**
 * `hostnamectl status`: "Key: value" lines, keys right-aligned (EL7 to 18 columns, systemd 252 to 16), values
 * possibly padded with blanks (systemd 251's table). "Static hostname: (unset)" or "n/a" is `unset`. No Static
 * hostname line, an empty value, a value with blanks, or a line that is not "Key: value" is Unparsable.
 */
export function parseStaticHostname(output: CommandOutput): StaticHostnameReading {
  let value: string | undefined;
  for (const line of splitLines(output.stdout)) {
    if (line.trim() === '') continue;
    const m = /^\s*([A-Za-z][A-Za-z ]*?):(?: (.*))?$/.exec(line);
    if (!m) throw unparsable(`not a "Key: value" line: ${line}`, output);
    if (m[1] === 'Static hostname') value = (m[2] ?? '').trim();
  }
  if (value === undefined || value === '') throw unparsable('no Static hostname in hostnamectl output', output);
  if (UNSET.has(value)) return { state: 'unset', shown: `Static hostname: ${value}` };
  if (/\s/.test(value)) throw unparsable(`static hostname with whitespace: ${value}`, output);
  return { state: 'set', name: value };
}

/** HOST_NAME_MAX on Linux. */
const MAX_HOSTNAME = 64;

/**
 * /etc/hostname as systemd reads it at boot (hostname(5)): blank lines and "#" comments are skipped, the
 * first other line, trimmed, is the name; none at all (an empty file) is `unset`. A first line that is not
 * one hostname (blanks, characters outside letters, digits, "-", "_" and ".", over 64 characters) is
 * Unparsable: systemd would reject it, and a guess could pass a host that boots under another name.
 */
export function parseEtcHostname(output: CommandOutput): StaticHostnameReading {
  const first = splitLines(output.stdout)
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  if (first === undefined) {
    return { state: 'unset', shown: output.stdout === '' ? 'empty' : 'no name, only blank lines or comments' };
  }
  if (first.length > MAX_HOSTNAME || !/^[A-Za-z0-9_.-]+$/.test(first)) {
    throw unparsable(`/etc/hostname: not a hostname: ${first.slice(0, 80)}`, output);
  }
  return { state: 'set', name: first };
}
