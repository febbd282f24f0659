import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_COMMAND, buildBundle } from '../../../gather/bundle.ts';
import { PROBES } from '../../../probes/index.ts';

/**
 * The reviewed set: each program a probe may start, and what its arguments must say. A new
 * command, or a known one used with a verb that writes, fails here until it is reviewed.
 */
const READ_ONLY: Record<string, RegExp> = {
  cat: /^cat( \/(etc|usr\/lib|proc|sys\/fs\/selinux)\/[\w./-]+)+$/,
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
  grep: /^grep -(HnZ|q|H) '[^']*'( \/(etc|sys\/class\/net|sys\/devices\/virtual\/net)\/[\w./*-]+)*$/,
  findmnt: /^findmnt -no UUID \/$/,
  chronyc: /^chronyc (-n sources|accheck "\$a")$/,
  ss: /^ss -ulnp$/,
  netstat: /^netstat -ulnp$/,
  command: /^command -v ss$/,
  sleep: /^sleep 1$/,
  // Shell syntax of the compute node's wait loop.
  i: /^i=(0|\$\(\(i\+1\)\))$/,
  '[': /^\[ \$i -lt \d+ \]$/,
  // The controller's accheck loop: over validated IPv4 addresses only; printf writes to stdout.
  for: /^for a in( \d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})*$/,
  printf: /^printf '(accheck|exit) %s\\n' ("\$a"|\$\?)$/,
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

const OPTIONS = (role: 'controller' | 'compute') => ({
  role,
  chronySyncWaitSeconds: 10,
  peers: ['10.0.0.101', '10.0.0.102'],
  syncSource: '10.0.0.100',
});
const CHRONY_READER = PROBES.chronyConfig.commands(OPTIONS('controller')).files!;
const CHRONY_WAIT = PROBES.chronySources.commands(OPTIONS('compute')).wait!;
const CHRONY_STARTUP = PROBES.chronyStartup.commands(OPTIONS('compute')).units!;
const ALL_COMMANDS = Object.values(PROBES).flatMap((probe) =>
  (['controller', 'compute'] as const).flatMap((role) => Object.values(probe.commands(OPTIONS(role)))),
);

describe('every probe command is one of the reviewed read-only commands', () => {
  it.each([...new Set(ALL_COMMANDS)].filter((c) => ![CHRONY_READER, CHRONY_WAIT, CHRONY_STARTUP].includes(c)))(
    '%s',
    (command) => {
      expect(command).not.toMatch(/[`]|\$\((?!\(i\+1\)\))|>(?!\s*\/dev\/null|&1)/);
      for (const simple of simpleCommands(command)) {
        const program = simple.split(/[\s=]/)[0]!;
        expect(Object.keys(READ_ONLY), `${simple} (in: ${command})`).toContain(program);
        expect(simple).toMatch(READ_ONLY[program]!);
      }
    },
  );

  it('the bundle adds only framing around them: printf for the frames, head for the output limit, no other program', () => {
    const bundle = buildBundle({ role: 'compute', chronySyncWaitSeconds: 10 }, 8 * 1024 * 1024);
    const framing = bundle.script.split('\n').filter((line) => line.startsWith('printf '));
    expect(framing).toHaveLength(bundle.parts.length * 2);
    for (const line of framing)
      expect(line).toMatch(
        /^printf '\\n%s (begin %s\\n' LABSPEC_[0-9a-f]{32} [\w.]+; printf '\\n%s begin %s\\n' LABSPEC_[0-9a-f]{32} [\w.]+ >&2|end %s\\n' LABSPEC_[0-9a-f]{32} [\w.]+|end %s %s\\n' LABSPEC_[0-9a-f]{32} [\w.]+ \$\?)$/,
      );
    const rest = bundle.script.split('\n').filter((line) => !line.startsWith('printf ') && line !== '');
    const commands = new Set(bundle.parts.map((p) => p.command));
    // Each command runs as `{ COMMAND` … `} </dev/null; printf '\n%s end %s %s\n' MARKER KEY $? >&2`, and a file
    // part as `{ { COMMAND` … `} </dev/null; printf … >&2; } | head -c N` (its stdout end line then carries head's $?).
    const open = /^\{ (\{ )?/;
    const close =
      /^\} <\/dev\/null; printf '\\n%s end %s %s\\n' LABSPEC_[0-9a-f]{32} [\w.]+ \$\? >&2(; \} \| head -c 8388609)?$/;
    for (const line of rest) {
      const inner = line.replace(open, '').replace(close, '');
      if (inner === '') continue;
      const setup = /^(LC_ALL=C; export LC_ALL|PATH=[\w/:$]+; export PATH)$/;
      expect(commands.has(inner) || setup.test(inner), line).toBe(true);
    }
  });
});

/**
 * The chrony-config reader follows what chrony.conf names (include, confdir, sourcedir) on the host,
 * in one round trip, so it is a small shell program rather than one command. It is pinned here as
 * reviewed: reading only (grep -a, tr and wc on the files, head to cap the output, printf to
 * stdout), no command substitution, no redirection but `2>/dev/null` and `<"$f"`, and the config's
 * words only ever go through field splitting and pathname expansion, never evaluated.
 */
const REVIEWED_CHRONY_READER =
  'r() ( d=$1; c=$2; shift 2; for f in "$@"; do grep -aHnZ \'\' "$f"; printf \'\\0file\\0%s\\0%s\\0\' "$f" $?; wc -l 2>/dev/null <"$f" || printf \'\\n\'; [ $d -lt 10 ] || continue; case $c in *" $f "*) continue;; esac; tr \'\\000\\t\\r\\v\\f\' \'\\n    \' 2>/dev/null <"$f" | grep -aiE \'^ *(include|confdir|sourcedir) \' | while read -r k a || [ -n "$k" ]; do case $k in [Ii]*) s=;; [Cc]*) s=\'/*.conf\';; *) s=\'/*.sources\';; esac; set -f; for p in $a; do set +f; p=$p$s; case $p in /*) ;; *) continue;; esac; printf \'\\0glob\\0%s\\0\\n\' "$p"; for g in $p; do if [ "$g" = "$p" ] && [ ! -e "$g" ] && [ ! -h "$g" ]; then case $p in *[[*?]*) q=${p%/*}; [ -e "$q" ] || [ -h "$q" ]; e=$?; [ -d "$q" ]; t=$?; [ -r "$q" ] && [ -x "$q" ]; x=$?; printf \'\\0nomatch\\0%s\\0%s%s%s\\0\\n\' "$p" $e $t $x; continue;; esac; fi; printf \'\\0match\\0%s\\0%s\\0\\n\' "$p" "$g"; case $s in *sources) r 10 \'\' "$g";; *) r $((d+1)) "$c$f " "$g";; esac; done; printf \'\\0globend\\0%s\\0\\n\' "$p"; done; set +f; done; done ); { r 1 \' \' /etc/chrony.conf /etc/chrony/chrony.conf; printf \'\\0end\\0\\n\'; } | head -c 1000000';

/** Simple commands of a shell line: split on ; | && || ( ) outside quotes, $((…)) and ${…} kept whole. */
function shellPieces(script: string): string[] {
  const pieces: string[] = [];
  let current = '';
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (c === "'" || c === '"') {
      const end = script.indexOf(c, i + 1);
      current += script.slice(i, end + 1);
      i = end;
    } else if (script.startsWith('$((', i) || script.startsWith('${', i)) {
      const end = script.indexOf(script[i + 1] === '(' ? '))' : '}', i);
      current += script.slice(i, end + (script[i + 1] === '(' ? 2 : 1));
      i = end + (script[i + 1] === '(' ? 1 : 0);
    } else if (';|&()'.includes(c)) {
      pieces.push(current.trim());
      current = '';
    } else current += c;
  }
  pieces.push(current.trim());
  return pieces
    .map((p) => p.replace(/^((do|then|else|elif|if|while|!|\{)\s+)+/, ''))
    .filter((p) => p !== '' && !/^(done|fi|esac|\})$/.test(p) && !/^(\*|\/|\[[^ ])/.test(p));
}

/** Each simple command of the reader, and what it must say: read-only programs, shell builtins, its own function r. */
const READER_COMMANDS: RegExp[] = [
  /^r$/, // the function's definition: `r() (`
  /^[dcsptexq]=(\$\d|\$\?|\$p\$s|'[^']*'|\$\{p%\/\*\})?$/,
  /^shift 2$/,
  /^for [fpg] in ("\$@"|\$a|\$p)$/,
  /^grep -aHnZ '' "\$f"$/,
  /^grep -aiE '\^ \*\(include\|confdir\|sourcedir\) '$/,
  /^printf '\\0(file|glob|nomatch|match|globend|end)(\\0(%s)+)*\\0(\\n)?'( "?\$[a-z?]"?)*$/,
  /^printf '\\n'$/,
  /^wc -l 2>\/dev\/null <"\$f"$/,
  /^tr '\\000\\t\\r\\v\\f' '\\n {4}' 2>\/dev\/null <"\$f"$/,
  /^\[ (\$d -lt 10|-n "\$k"|"\$g" = "\$p"|! -[eh] "\$g"|-[edrxh] "\$q") \]$/,
  /^read -r k a$/,
  /^continue$/,
  /^case \$[kspc] in (\S+|\*" \$f "\*)$/,
  /^set [-+]f$/,
  /^r (10 '' "\$g"|\$\(\(d\+1\)\) "\$c\$f " "\$g"|1 ' ' \/etc\/chrony\.conf \/etc\/chrony\/chrony\.conf)$/,
  /^head -c \d+$/,
];

describe('the chrony-config reader', () => {
  it('is the reviewed script, byte for byte', () => {
    expect(CHRONY_READER).toBe(REVIEWED_CHRONY_READER);
  });

  it('starts only read-only programs (grep, tr, wc, head), builtins and its own function; writes nowhere', () => {
    expect(CHRONY_READER).not.toMatch(/[`]|\$\((?!\(d\+1\)\))|>(?!\/dev\/null)|<(?!"\$f")/);
    expect(CHRONY_READER.match(/\d?>[^ ]*/g)).toEqual(Array(2).fill('2>/dev/null'));
    for (const piece of shellPieces(CHRONY_READER))
      expect(
        READER_COMMANDS.some((re) => re.test(piece)),
        piece,
      ).toBe(true);
  });
});

/**
 * A compute node's wait for chronyd to select its controller (probes/chrony-sources.ts), pinned as reviewed: it
 * reads chronyd's state once (systemctl show), /proc/uptime and `chronyc -n sources` every second, sleeps, and
 * prints key=value lines to stdout; no command substitution, no redirection but `2>/dev/null` and `</proc/uptime`.
 * The controller's address (10.0.0.100 here) is a validated dotted quad, and the numbers are the probe's own.
 */
const REVIEWED_CHRONY_WAIT =
  'systemctl show -p ActiveState,ActiveEnterTimestampMonotonic chronyd.service 2>/dev/null | { s=; t=; while IFS== read -r k v; do printf \'%s=%s\\n\' "$k" "$v"; case $k in ActiveState) s=$v;; ActiveEnterTimestampMonotonic) t=$v;; esac; done; i=0; while :; do read -r u x </proc/uptime; chronyc -n sources 2>/dev/null | { c=5; while read -r m a x y r z; do case $m in ?\\*) exit 0;; =====*) c=4;; esac; if [ "$a" = 10.0.0.100 ]; then if [ "$r" = 0 ]; then c=3; else c=2; fi; fi; done; exit $c; }; c=$?; g=; case $t in \'\'|0|*[!0-9]*) ;; *) case $u in [0-9]*) g=$(( ${u%%.*} - t / 1000000 ));; esac;; esac; if [ $c = 0 ]; then w=selected; elif [ "$s" != active ]; then w=inactive; elif [ $c = 5 ]; then w=unanswered; elif [ $c = 4 ]; then w=unlisted; elif [ -z "$g" ]; then w=unknown-start; elif [ $g -ge 120 ]; then w=settled; elif [ $c = 3 ] && [ $g -ge 4 ]; then w=no-reply; elif [ $i -ge 10 ]; then w=timeout; else sleep 1; i=$((i+1)); continue; fi; printf \'uptime=%s\\nwaited=%s\\nstop=%s\\n\' "$u" $i $w; break; done; }';

/** Each simple command of the wait, and what it must say: read-only programs and shell builtins. */
const WAIT_COMMANDS: RegExp[] = [
  /^systemctl show -p ActiveState,ActiveEnterTimestampMonotonic chronyd\.service 2>\/dev\/null$/,
  /^chronyc -n sources 2>\/dev\/null$/,
  /^IFS== read -r k v$/,
  /^read -r (u x <\/proc\/uptime|m a x y r z)$/,
  /^[stcgiw]=(\$v|\$\?|\d|[a-z-]+|\$\(\( \$\{u%%\.\*\} - t \/ 1000000 \)\)|\$\(\(i\+1\)\))?$/,
  /^printf '(%s=%s\\n|uptime=%s\\nwaited=%s\\nstop=%s\\n)' ("\$[kvu]"|\$[iw]| )+$/,
  /^case \$[kmtu] in (ActiveState|\?\\\*|''|\[0-9\]\*)$/,
  /^(ActiveEnterTimestampMonotonic|=====\*|0)$/,
  /^\[ ("\$[as]"|\$[cgi]|-z "\$g"|"\$r") (=|!=|-ge)? ?[\w.]* ?\]$/,
  /^(exit (0|\$c)|sleep 1|continue|break|:)$/,
];

describe("the compute node's chrony wait", () => {
  it('is the reviewed script, byte for byte', () => {
    expect(CHRONY_WAIT).toBe(REVIEWED_CHRONY_WAIT);
  });

  it('starts only read-only programs (systemctl show, chronyc -n sources, sleep) and builtins; writes nowhere', () => {
    expect(CHRONY_WAIT).not.toMatch(
      /[`]|\$\((?!\( \$\{u%%\.\*\} - t \/ 1000000 \)\)|\(i\+1\)\))|>(?!\/dev\/null)|<(?!\/proc\/uptime)/,
    );
    expect(CHRONY_WAIT.match(/\d?>[^ ]*/g)).toEqual(Array(2).fill('2>/dev/null'));
    for (const piece of shellPieces(CHRONY_WAIT))
      expect(
        WAIT_COMMANDS.some((re) => re.test(piece)),
        piece,
      ).toBe(true);
  });

  it('is sent only to a compute node with a wait to do and an IPv4 controller to wait for', () => {
    const commands = (options: Parameters<typeof PROBES.chronySources.commands>[0]) =>
      Object.keys(PROBES.chronySources.commands(options));
    expect(commands(OPTIONS('controller'))).toEqual(['sources']);
    expect(commands({ ...OPTIONS('compute'), chronySyncWaitSeconds: 0 })).toEqual(['sources']);
    expect(commands({ ...OPTIONS('compute'), syncSource: undefined })).toEqual(['sources']);
    expect(commands(OPTIONS('compute'))).toEqual(['wait', 'sources']);
    expect(() => commands({ ...OPTIONS('compute'), syncSource: '10.0.0.1; reboot' })).toThrow(/not an IPv4 address/);
  });
});

/**
 * How chronyd starts (probes/chrony-startup.ts), pinned as reviewed: one `systemctl show`, each of its lines printed
 * as it comes, and after a MainPID or EnvironmentFiles line the file it names (a running chronyd's /proc/PID/cmdline,
 * an environment file) dumped by od as hex. No command substitution, no redirection but `<"$f"`; the paths come from
 * systemctl's answer and only go through parameter expansion, never evaluated.
 */
const REVIEWED_CHRONY_STARTUP =
  'systemctl show -p Id,LoadState,ActiveState,MainPID,ExecStart,EnvironmentFiles,Environment chronyd.service chrony.service | while IFS= read -r l || [ -n "$l" ]; do printf \'%s\\n\' "$l"; case $l in MainPID=0) continue;; MainPID=*) f=/proc/${l#MainPID=}/cmdline;; EnvironmentFiles=*) f=${l#EnvironmentFiles=}; f=${f% (ignore_errors=*)};; *) continue;; esac; if [ -e "$f" ]; then printf \'@@ read %s\\n\' "$f"; od -An -v -tx1 <"$f"; printf \'@@ exit %s\\n\' $?; else printf \'@@ missing %s\\n\' "$f"; fi; done';

const STARTUP_COMMANDS: RegExp[] = [
  /^systemctl show -p [\w,]+ chronyd\.service chrony\.service$/,
  /^IFS= read -r l$/,
  /^\[ (-n "\$l"|-e "\$f") \]$/,
  /^printf '(%s|@@ (read|exit|missing) %s)\\n' ("\$[lf]"|\$\?)$/,
  /^case \$l in MainPID=0$/,
  /^(MainPID|EnvironmentFiles)=\*$/,
  /^f=(\/proc\/\$\{l#MainPID=\}\/cmdline|\$\{l#EnvironmentFiles=\}|\$\{f% \(ignore_errors=\*\)\})$/,
  /^od -An -v -tx1 <"\$f"$/,
  /^(continue|then|else)$/,
];

describe('the chrony-startup reader', () => {
  it('is the reviewed script, byte for byte', () => {
    expect(CHRONY_STARTUP).toBe(REVIEWED_CHRONY_STARTUP);
  });

  it('starts only read-only programs (systemctl show, od) and builtins; writes nowhere', () => {
    expect(CHRONY_STARTUP).not.toMatch(/[`]|\$\(|>|<(?!"\$f")/);
    for (const piece of shellPieces(CHRONY_STARTUP))
      expect(
        STARTUP_COMMANDS.some((re) => re.test(piece)),
        piece,
      ).toBe(true);
  });
});

describe("the README's list of programs sent to hosts", () => {
  /** Programs the bundle itself runs around the probes: the remote command, the frames and the output limit. */
  const BUNDLE = ['env', 'sh', 'printf', 'head'];
  /** Programs only the chrony-config and chrony-startup readers start, pinned byte for byte above. */
  const READER = ['tr', 'wc', 'od'];
  /** Entries of the reviewed set that are shell syntax, not programs. */
  const SYNTAX = ['i', '[', 'command', 'for'];
  const programs = new Set([
    ...BUNDLE,
    ...READER,
    'hostnamectl',
    ...Object.keys(READ_ONLY).filter((p) => !SYNTAX.includes(p)),
  ]);

  it('names every program labspec runs on a host, and nothing else', () => {
    const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../README.md'), 'utf8');
    const list = /Together they run only these programs: ([^—]*)—/.exec(readme.replace(/\n/g, ' '))?.[1] ?? '';
    const listed = [...list.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    expect(new Set(listed)).toEqual(programs);
    expect(listed).toHaveLength(programs.size);
  });

  it('the bundle starts only its own programs around the probes', () => {
    expect(BUNDLE_COMMAND).toBe('env LC_ALL=C /bin/sh -s');
    const script = buildBundle({ role: 'compute', chronySyncWaitSeconds: 10 }, 1024).script;
    expect(script).toContain('| head -c 1025\n');
  });
});
