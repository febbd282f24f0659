import { z } from 'zod';
import { COMMAND_NOT_FOUND, type CommandOutput, defineProbe, UnparsableOutput } from './probe.ts';
import { partOf, rawOf, splitLines, unparsable } from './text.ts';

export const packagesFact = z.object({
  chrony: z.object({
    installed: z.boolean(),
    /** Version-release as the package manager prints it; null when not installed. */
    version: z.string().nullable(),
    /** Which package database answered. */
    manager: z.enum(['rpm', 'dpkg']),
  }),
});

export const packagesProbe = defineProbe({
  id: 'packages',
  description: 'Whether chrony is installed, asked of rpm or dpkg, whichever the host uses.',
  example: '{ chrony: { installed: true, version: "3.4-1.el7", manager: "rpm" } }',
  commands: () => ({
    rpm: 'rpm -q chrony',
    dpkg: "dpkg-query -W -f='${db:Status-Abbrev} ${Version}\\n' chrony",
  }),
  schema: packagesFact,
  /**
   * Each manager answers installed / not installed / absent (127). Whichever says installed wins
   * (rpm first if both do); otherwise the one that exists says "not installed" (rpm if both exist).
   * Both absent, or any answer not understood, is Unparsable.
   */
  parse(outputs) {
    const rpmOut = partOf(outputs, 'rpm');
    const dpkgOut = partOf(outputs, 'dpkg');
    const answers = [
      { manager: 'rpm' as const, answer: rpmOut.exitCode === COMMAND_NOT_FOUND ? null : rpmAnswer(rpmOut) },
      { manager: 'dpkg' as const, answer: dpkgOut.exitCode === COMMAND_NOT_FOUND ? null : dpkgAnswer(dpkgOut) },
    ];
    const chosen = answers.find((a) => a.answer?.installed) ?? answers.find((a) => a.answer !== null);
    if (chosen === undefined || chosen.answer === null) {
      throw new UnparsableOutput('neither rpm nor dpkg-query exists', `${rawOf(rpmOut)}\n${rawOf(dpkgOut)}`);
    }
    return packagesFact.parse({ chrony: { ...chosen.answer, manager: chosen.manager } });
  },
});

interface Answer {
  installed: boolean;
  version: string | null;
}

const RPM_ARCH = /\.(?:x86_64|aarch64|i[3-6]86|noarch|ppc64le|ppc64|s390x|armv7hl|riscv64)$/;

/**
 * `rpm -q chrony`: "chrony-<version>-<release>[.<arch>]" (exit 0) or "package chrony is not installed"
 * on stdout (exit 1). Several installed versions are Unparsable.
 */
export function rpmAnswer(output: CommandOutput & { exitCode: number }): Answer {
  const lines = splitLines(output.stdout);
  if (output.exitCode === 1 && lines.length === 1 && lines[0] === 'package chrony is not installed') {
    return { installed: false, version: null };
  }
  const m =
    output.exitCode === 0 && lines.length === 1
      ? /^chrony-([^-\s]+-[^-\s]+)$/.exec(lines[0]!.replace(RPM_ARCH, ''))
      : null;
  if (!m) throw unparsable(`rpm -q chrony answer not understood (exit ${output.exitCode})`, output);
  return { installed: true, version: m[1]! };
}

/**
 * `dpkg-query -W -f='${db:Status-Abbrev} ${Version}\\n' chrony`: a 3-character abbreviation (desired
 * action, status, error flag) then the version, e.g. "ii  4.3-2+deb12u1", "rc  4.2-2", "un  ".
 * Status "i" (ii, hi, ri) is installed and must carry a version; "n"/"c" (un, rc) are not installed;
 * in-between states (unpacked, half-configured, triggers…) and the reinst-required flag are Unparsable. "no packages found matching chrony" (stderr, exit 1) is not installed.
 */
export function dpkgAnswer(output: CommandOutput & { exitCode: number }): Answer {
  if (
    output.exitCode === 1 &&
    output.stdout === '' &&
    /^dpkg-query: no packages found matching chrony\s*$/.test(output.stderr)
  ) {
    return { installed: false, version: null };
  }
  const lines = splitLines(output.stdout);
  const m = output.exitCode === 0 && lines.length === 1 ? /^([uihrp])([ncUFhWti])([ R]) (.*)$/.exec(lines[0]!) : null;
  if (!m) throw unparsable(`dpkg-query answer not understood (exit ${output.exitCode})`, output);
  if (m[3] !== ' ') throw unparsable('dpkg reports the package needs reinstalling', output);
  if (m[2] === 'n' || m[2] === 'c') return { installed: false, version: null };
  if (m[2] !== 'i')
    throw unparsable(`dpkg status "${m[2]}" is neither installed nor absent (half-installed, unpacked…)`, output);
  const version = m[4]!.trim();
  if (!/^\S+$/.test(version)) throw unparsable('dpkg says installed but prints no version', output);
  return { installed: true, version };
}
