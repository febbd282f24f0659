import { describe, expect, it } from 'vitest';
import { buildBundle } from '../../../gather/bundle.ts';
import { PROBES } from '../../../probes/index.ts';

/**
 * The reviewed set: each program a probe may start, and what its arguments must say. A new
 * command, or a known one used with a verb that writes, fails here until it is reviewed.
 */
const READ_ONLY: Record<string, RegExp> = {
  cat: /^cat( \/(etc|usr\/lib|proc)\/[\w./-]+)+$/,
  uname: /^uname -n$/,
  timeout: /^timeout \d+ hostnamectl status$/,
  ip: /^ip -o addr show$/,
  df: /^df -Pk \/$/,
  systemctl: /^systemctl show -p [\w,]+( [\w-]+\.service)+$/,
  'firewall-cmd': /^firewall-cmd --state$/,
  getenforce: /^getenforce$/,
  rpm: /^rpm -q chrony$/,
  'dpkg-query': /^dpkg-query -W -f='[^']*' chrony$/,
  readlink: /^readlink -e \/etc\/[\w.-]+$/,
  grep: /^grep -(HnZ|q) '[^']*'( \/etc\/[\w./*-]+)*$/,
  chronyc: /^chronyc -n sources$/,
  ss: /^ss -ulnp$/,
  netstat: /^netstat -ulnp$/,
  command: /^command -v ss$/,
  sleep: /^sleep 1$/,
  // Shell syntax of the compute node's wait loop.
  i: /^i=(0|\$\(\(i\+1\)\))$/,
  '[': /^\[ \$i -lt \d+ \]$/,
};
const SHELL_WORDS = /^(if|then|else|fi|while|do|done|!)\s+/;

function simpleCommands(command: string): string[] {
  return command
    .replace(/\d?>\s*\/dev\/null|2>&1/g, '')
    .split(/;|&&|\|\||\|/)
    .map((part) => part.trim())
    .map((part) => {
      let rest = part;
      while (SHELL_WORDS.test(rest)) rest = rest.replace(SHELL_WORDS, '');
      return rest.trim();
    })
    .filter((part) => part !== '' && !/^(fi|done)$/.test(part));
}

const ALL_COMMANDS = Object.values(PROBES).flatMap((probe) =>
  (['controller', 'compute'] as const).flatMap((role) =>
    Object.values(probe.commands({ role, chronySyncWaitSeconds: 10 })),
  ),
);

describe('every probe command is one of the reviewed read-only commands', () => {
  it.each([...new Set(ALL_COMMANDS)])('%s', (command) => {
    expect(command).not.toMatch(/[`]|\$\((?!\(i\+1\)\))|>(?!\s*\/dev\/null|&1)/);
    for (const simple of simpleCommands(command)) {
      const program = simple.split(/[\s=]/)[0]!;
      expect(Object.keys(READ_ONLY), `${simple} (in: ${command})`).toContain(program);
      expect(simple).toMatch(READ_ONLY[program]!);
    }
  });

  it('the bundle adds only framing around them: printf for the frames, head for the output limit, no other program', () => {
    const bundle = buildBundle({ role: 'compute', chronySyncWaitSeconds: 10 }, 8 * 1024 * 1024);
    const framing = bundle.script.split('\n').filter((line) => line.startsWith('printf '));
    expect(framing).toHaveLength(bundle.parts.length * 2);
    for (const line of framing)
      expect(line).toMatch(
        /^printf '\\n%s (begin|end) %s(\\n| %s\\n)' LABSPEC_[0-9a-f]{32} [\w.]+( "\$labspec_status")?; printf '\\n%s (begin|end) %s\\n' LABSPEC_[0-9a-f]{32} [\w.]+ >&2$/,
      );
    const rest = bundle.script.split('\n').filter((line) => !line.startsWith('printf ') && line !== '');
    const commands = new Set(bundle.parts.map((p) => p.command));
    // Each command runs as `labspec_status=$( { { { COMMAND` … `} </dev/null 8>&- 9>&-; echo $? >&8; } | head -c N >&9; } 8>&1 )`.
    const open = /^labspec_status=\$\( \{ \{ \{ /;
    const close = /^\} <\/dev\/null 8>&- 9>&-; echo \$\? >&8; \} \| head -c 8388609 >&9; \} 8>&1 \)$/;
    for (const line of rest) {
      const inner = line.replace(open, '').replace(close, '');
      if (inner === '') continue;
      const setup = /^(LC_ALL=C; export LC_ALL|PATH=[\w/:$]+; export PATH|exec 9>&1)$/;
      expect(commands.has(inner) || setup.test(inner), line).toBe(true);
    }
  });
});
