import { DEFAULTS } from '../run/settings.ts';

export const USAGE = "Run 'labspec --help' for the commands, or 'labspec COMMAND --help' for one.\n";

const EXIT_CODES = `Exit codes:
  0    every selected check passed (skips allowed), or a shard had nothing to check
  1    a check failed
  2    usage, inventory or snapshot error, a filter that selects no check, or a check ID or glob
       that matches none: nothing was checked
  3    no check failed, but some could not be evaluated (unreachable host, unreadable output)
  4    the reports could not be written
  70   labspec itself failed (a bug; the stack trace is on stderr)
  130  interrupted (SIGINT); 143 terminated (SIGTERM)`;

const REPORTS = `Reports (in --reports DIR, default ${DEFAULTS.reports}/ under the current folder):
  DIR/runs/<run-id>/   each run's complete set: junit.xml, results.json, facts/<host>.json
  DIR/junit.xml        the latest complete run's JUnit, for CI to publish
  DIR/results.json     the same verdicts as JSON (schema labspec/results@2)
  DIR/facts, DIR/latest  links to the latest run's snapshots and folder
  Earlier runs are never deleted. On exit 2, DIR/junit.xml and DIR/results.json are removed.`;

const CLASS_PAGES = `  --lang en|ko         a class: the language of class.html and the student reports (default
                       ${DEFAULTS.lang}; env LABSPEC_LANG)
  --disclose LEVEL     a class: what each student report gives away: full (expected, actual,
                       where, fix), hints (what is wrong, no command) or score (the points only)
                       (default ${DEFAULTS.disclose}; env LABSPEC_DISCLOSE)`;

const CLASS = `  --lab ID             a class: only this student (id or lab name); repeat for more. The
                       others are not contacted
  --rubric FILE        a class: grade with this rubric (points, gradeScale, clones) instead
                       of the inventory's rubric: (env LABSPEC_RUBRIC)
  --grade-scale N      a class: the grade a lab with every point gets (default 100)
${CLASS_PAGES}`;

const CLASS_REPORTS = `A class (an inventory with labs:, or roster: with template:) is graded too:
  DIR/class.csv        one row per student: score, state, clone flags, a column per host:check
  DIR/moodle.csv       Moodle's grade import: identifier, grade, feedback (graded students only)
  DIR/history.csv      every run's score of every student, a column per run
  DIR/class.html       the scoreboard: students × checks by the tutorial's sections, sortable
                       by score, filterable, each cell's expected/actual/source/fix, clone
                       flags and students not graded on top; works from file://, loads nothing
  DIR/students/<id>.html, .md   a report per student, to hand back (--lang, --disclose)
  DIR/class.json, DIR/history.json   the same as JSON
  A student whose host could not be read is "not graded", one with a check labspec could
  not judge "flagged": neither gets a grade, and neither is counted as failing.`;

const CHOOSING = `  --profile NAME       full (the default) or image: skip the checks a lab image cannot show
                       before it is deployed (its lab address, its hostname unless given with
                       --hostname or hostname:, NTP sync with a controller, the lab as a whole),
                       each with its reason; 'labspec checks' marks them (env LABSPEC_PROFILE)
  --only IDS           only these checks: IDs or globs, comma-separated or repeated, e.g.
                       'chrony.*,host.hostname' (env LABSPEC_ONLY)
  --skip IDS           skip these checks, reported as skipped with the option as the reason
                       (env LABSPEC_SKIP; skips add to each other and to the inventory's)
                       An ID or glob that matches no check of the run is exit 2.`;

const FILTER = `  -t, --filter REGEX   only the checks whose full name matches: '<section> > <host> › <check>',
                       e.g. 'firewalld', 'compute1 › chrony', '^Disable SELinux'; the same
                       as vitest's -t in 'npm test -- -t REGEX'`;

export const HELP = {
  main: `labspec — read-only checks of an OpenStack lab over SSH, with JUnit reports

Usage:
  labspec run     [--inventory FILE | --target URL --role ROLE --name NAME ...] [--reports DIR]
                  [--concurrency N] [--shard K/N] [--profile NAME] [--only IDS] [--skip IDS]
                  [-t REGEX] [-q] [--lab ID]... [--rubric FILE] [--grade-scale N]
                  [--lang en|ko] [--disclose LEVEL]
  labspec replay  [DIR] [--reports DIR] [--profile NAME] [--only IDS] [--skip IDS] [-t REGEX] [-q]
                  [--lab ID]... [--rubric FILE] [--grade-scale N] [--lang en|ko] [--disclose LEVEL]
  labspec merge   DIR... [--reports DIR] [-q] [--lang en|ko] [--disclose LEVEL]
  labspec bundle  --role ROLE [--name NAME] [--lab-address IP] [--peer IP]... | --inventory FILE --name HOST
  labspec grade   CAPTURE [--name NAME] [--role ROLE] [--lab-address IP] [CAPTURE ...] [--inventory FILE]
                  [--reports DIR] [--profile NAME] [--only IDS] [--skip IDS] [-t REGEX] [-q]
  labspec checks  [--json]
  labspec probes
  labspec lab     up [--scenario NAME] [--class N] | down | status | scenarios
  labspec demo    [--scenario NAME] [--keep] [--reports DIR]
  labspec --help | --version

Commands:
  run       Read every host of the inventory (one SSH connection and one exec each, in
            parallel), judge every check, print what failed and a summary, write the reports.
  replay    Judge saved snapshots again, with no network (and re-grade a class, e.g. with
            another rubric).
  merge     The reports of every shard of a 'run --shard K/N' split, as one run's reports.
  bundle    Print the probe script of one host as a sh file, for a host labspec cannot reach
            or run on (a CentOS 7 image): run it there with sh and keep its output.
  grade     Judge the captured output of bundles like a live run, and write the same reports.
  checks    Every check labspec makes: ID, which hosts, section, points, title.
  probes    The fixed, read-only commands labspec may send to a host, probe by probe.
  lab       The local lab: two real systemd hosts (controller, compute1) in network
            namespaces on this machine. Needs Linux and root.
  demo      lab up, labspec run against it, lab down (unless --keep).

Each command has its own --help.

${REPORTS}

${CLASS_REPORTS}

${EXIT_CODES}
`,
  run: `labspec run — read every host of the inventory and judge the lab spec

Usage: labspec run [--inventory FILE] [--reports DIR] [--concurrency N] [--shard K/N]
                   [--profile NAME] [--only IDS] [--skip IDS] [-t REGEX] [-q]
                   [--lab ID]... [--rubric FILE] [--grade-scale N] [--lang en|ko] [--disclose LEVEL]
       labspec run --target URL --role ROLE --name NAME [--lab-address IP] [--host-key KEY]
                   [--hostname NAME] [--target ...] [--identity FILE | --identity-env NAME] [--password-env NAME]
                   [--known-hosts FILE [--accept-new-host-key]] [options as above]

  --inventory FILE     the inventory YAML (default ${DEFAULTS.inventory}; env LABSPEC_INVENTORY)
  --reports DIR        where reports go (default ${DEFAULTS.reports}; env LABSPEC_REPORTS)
  --concurrency N      hosts read at once (default ${DEFAULTS.concurrency}; env LABSPEC_CONCURRENCY)
  --shard K/N          read only shard K of N (env LABSPEC_SHARD), for one machine of a CI matrix;
                       join the shards' reports with 'labspec merge'. See Shards below.
${CHOOSING}
${FILTER}
  -q, --quiet          print only the summary, not each failing check
${CLASS}
  -h, --help           this text

Hosts without an inventory file, instead of --inventory: all the --targets make one lab.
--role, --name, --lab-address, --host-key and --hostname describe the --target before them, once each;
the other options apply to every --target, wherever they are written.
  --target URL         ssh://[user@]host[:port], or local for this machine
  --role ROLE          controller | compute
  --name NAME          its name in the lab, which is also its expected hostname
  --lab-address IP     its address on the lab network, when that is not the address connected
                       to (NAT, a port forward); required for local
  --host-key KEY       the host's public key as the builder printed it ('ssh-ed25519 AAAA…',
                       from /etc/ssh/ssh_host_ed25519_key.pub): the only key accepted
  --hostname NAME      the hostname it must have (default: --name), for an image built with its
                       final hostname: given, --profile image judges host.hostname on it
  --identity FILE      the private key file
  --identity-env NAME  the variable that holds the private key itself (a CI secret); never
                       written to the reports
  --password-env NAME  the variable that holds the password
  --known-hosts FILE   the known_hosts file (default ~/.ssh/known_hosts)
  --accept-new-host-key
                       accept the key of a host not yet in --known-hosts and record it there,
                       for a just-built VM: give a new, throwaway file; a key that differs from a
                       recorded one is still refused

Relative paths are taken from the current folder. Colour only on a terminal; NO_COLOR turns it
off, FORCE_COLOR on. Progress goes to stderr once reading the hosts takes longer than a second,
naming each host read and the ones still awaited.

Shards: labs stay whole, so cross-host checks are judged in the shard that holds the lab. Labs
are dealt out largest first, each to the shard with the fewest hosts so far (a class of equal
labs goes round-robin: student1 to 1/N, student2 to 2/N …); an inventory of one lab is all in
shard 1. A shard with no lab, or none the filter selects, writes empty reports and exits 0; the
filter must still select a check somewhere in the inventory. 'npm test' reads LABSPEC_SHARD too
(vitest's own --shard splits spec files, not hosts, and is refused).

${REPORTS}

${CLASS_REPORTS}

${EXIT_CODES}
`,
  merge: `labspec merge — the reports of every shard of a sharded run, as one run's reports

Usage: labspec merge DIR... [--reports DIR] [-q] [--lang en|ko] [--disclose LEVEL]

  DIR...               each shard's reports folder (or its run folder), from one
                       'labspec run --shard K/N' split: every shard 1/N … N/N, once
  --reports DIR        where the merged reports go (default ${DEFAULTS.reports}; env LABSPEC_REPORTS);
                       not one of the shards' folders
  -q, --quiet          print only the summary
${CLASS_PAGES}
  -h, --help           this text

Each lab was judged whole in one shard, cross-host checks too: the merge takes every verdict as
its shard judged it, in inventory order, with the shards' snapshots, and writes the report set
one unsharded run would have written (junit.xml, results.json, facts/). Its exit code is that
run's: 0, 1 or 3. A shard missing or given twice, shards of another inventory, split, filter or
labspec version, or a snapshot that does not match: exit 2, and the top-level reports in DIR
are removed, as after any exit 2.

${EXIT_CODES}
`,
  replay: `labspec replay — judge saved snapshots again, with no network

Usage: labspec replay [DIR] [--reports DIR] [--profile NAME] [--only IDS] [--skip IDS] [-t REGEX] [-q]
                      [--lab ID]... [--rubric FILE] [--grade-scale N] [--lang en|ko] [--disclose LEVEL]

  DIR                  a reports folder (its latest run), a run folder (DIR/runs/<id>) or a
                       facts folder (default: the reports folder)
  --reports DIR        where the new run's reports go (default ${DEFAULTS.reports}; env LABSPEC_REPORTS)
${CHOOSING}
${FILTER}
  -q, --quiet          print only the summary
${CLASS}
  -h, --help           this text

The raw outputs in the snapshots are parsed again with today's parsers and judged with the
lab settings they were gathered with. The replay is a run of its own in DIR/runs/.
The checks are those the replayed run chose (its profile, --only and skips, from the results.json
next to the snapshots), each skip with its reason. --profile, --only or --skip (or their env
variables) replace that choice whole: 'replay --profile full' judges every check. Snapshots with
no results.json are judged with every check; one that is unreadable or another run's is exit 2.
A class is graded again from its snapshots: with --rubric FILE, else with the rubric the
replayed run was graded with (its class.json), so only a changed rubric changes the grades.

${EXIT_CODES}
`,
  bundle: `labspec bundle — the read-only probes of one host, as a sh file to run on it

Usage:
  labspec bundle --role controller|compute [--name NAME] [--lab-address IP] [--lab LAB]
                 [--peer IP]... [--sync-source IP] [--chrony-sync-wait SECONDS]
                 [--max-probe-output-mib N]
  labspec bundle --inventory FILE --name HOST [--lab LAB]

Prints to stdout the script a live 'labspec run' sends to the host, wrapped so that plain sh
(or bash) runs it anywhere and everything it prints, stderr included, comes out on stdout:

  labspec bundle --role compute --name compute1 --lab-address 10.0.0.101 > bundle.sh
  ssh root@HOST sh -s < bundle.sh > capture.txt      (or on the host: sh bundle.sh > capture.txt)
  labspec grade capture.txt

Run it as root (chronyc accheck needs root). It only reads: the probes of 'labspec probes', and
printf, date, cksum and od around them. Each bundle draws its own frame marker; its first output
line, the capture header, records it with labspec's version, the settings below and a hash of the
script, so 'labspec grade' refuses a capture that is cut, edited or from another bundle.

  --role ROLE               controller or compute: the probes differ by role
  --name NAME               the host's name (its expected hostname), recorded for grade
  --lab-address IP          the host's lab address, recorded for grade (as for run --target;
                            --address is its older name and means the same)
  --lab LAB                 the lab's name, recorded for grade (default: default)
  --peer IP                 controller: a compute node's lab address to ask chronyd about
                            (chronyc accheck, for chrony.allow and topology.ntp); repeat it
  --sync-source IP          compute: the controller's lab address, the source chronyd should
                            select; its wait (see --chrony-sync-wait) watches for it, none without
  --chrony-sync-wait S      compute: how long to wait for chrony to select a source (default 10)
  --max-probe-output-mib N  output kept per probe, cut on the host (default 8; a fraction such
                            as 0.5 is rounded down to whole bytes)
  --inventory FILE          take all of the above from the inventory: the host --name (--lab when
                            several labs have one of that name), its role and lab address, its
                            lab's compute nodes as peers or its controller as sync source,
                            chronySyncWaitSeconds, maxProbeOutputMiB
  -h, --help                this text
`,
  grade: `labspec grade — judge captured bundle output like a live run

Usage: labspec grade CAPTURE [--name NAME] [--role ROLE] [--lab-address IP] [--lab LAB] [--hostname NAME]
                     [CAPTURE [--name NAME] ...] [--inventory FILE] [--reports DIR]
                     [--profile NAME] [--only IDS] [--skip IDS] [-t REGEX] [-q]

  CAPTURE              a file holding what a 'labspec bundle' printed on a host; several
                       captures of one lab (a controller and its compute nodes) are judged
                       together, cross-host checks included
  --name NAME          the host's name            } each applies to the capture it follows;
  --role ROLE          must be the bundle's role  } given in the bundle, they may be left out
  --lab-address IP     the host's lab address     } here (with one capture, put them anywhere)
  --lab LAB            the lab's name (default: the bundle's, else default)
  --hostname NAME      the hostname it must have (default: its name), for an image built with
                       its final hostname: given, --profile image judges host.hostname on it
  --address IP         the older name of --lab-address (as for run --target); the same option
  --inventory FILE     the lab's expected values (subnet, ntpUpstream, release …), its choice of
                       checks, and each host's role and addresses, found by name; without it,
                       the tutorial's defaults
  --reports DIR        where reports go (default ${DEFAULTS.reports}; env LABSPEC_REPORTS)
${CHOOSING}
${FILTER}
  -q, --quiet          print only the summary
  -h, --help           this text

The capture becomes the same snapshot a live run makes (transport 'capture FILE'), judged by the
same checks into the same reports. A capture that cannot be read, has no header, or names no host
is exit 2. One that is cut (a missing part or end frame), edited (the script's cksum differs), or
framed with another bundle's marker is a host that could not be read: every one of its checks
errors with the reason, which is also printed on stderr, and the other captures are judged.

${REPORTS}

${EXIT_CODES}
`,
  checks: `labspec checks — every check labspec makes

Usage: labspec checks [--json]

  --json       the registry as JSON: id, scope, appliesTo, section, title, titleKo, points, fix,
               fixKo, hint, hintKo (what a student report says), image
  -h, --help   this text

A check marked [image profile: skipped, …] is not judged under --profile image; the text after
it is the reason the reports show.
`,
  probes: `labspec probes — the fixed, read-only commands labspec may send to a host

Usage: labspec probes
`,
  lab: `labspec lab — the local lab: controller and compute1 as real systemd containers

Usage:
  labspec lab up [--scenario NAME]   boot the lab (default scenario: compliant); needs root
  labspec lab up --class N [--scenario NAME]
                                     boot a class of N student labs instead (see below)
  labspec lab down                   stop it and remove everything it made
  labspec lab status                 is it up, and do its hosts answer SSH
  labspec lab scenarios              the scenarios and the checks each must fail

The lab's inventory is written to /run/labspec/lab/inventory.yaml; run labspec inside the lab's
network: ip netns exec labspec labspec run --inventory /run/labspec/lab/inventory.yaml

--class N boots student1 … studentN, each with its own controller 10.0.0.100 and compute1
10.0.0.101 on its own isolated 10.0.0.0/24, reached as a classroom reaches students' VMs:
through the lab's own NAT address 192.168.100.(10+i), port 2201 forwarded to its controller's
SSH and 2202 to its compute1's. Every grading state appears once: student2 runs --scenario
(default drift), studentN (N ≥ 3) is a clone of student1 (the same machine-ids and SSH host
keys; every other lab has its own), and student<N+1> is listed in the inventory (labs:) but
unreachable: its address answers, nothing listens behind it. N is 1 to 39; each booted host
takes about 20 MiB of RAM.
`,
  demo: `labspec demo — labspec's main job on the embedded local lab

Usage: labspec demo [--scenario NAME] [--keep] [--reports DIR]

  --scenario NAME   how the lab deviates from the tutorial (default drift; see labspec lab scenarios)
  --keep            leave the lab running afterwards (stop it with: labspec lab down)
  --reports DIR     where the reports go (default ${DEFAULTS.reports})

Boots the lab, runs labspec against it inside the lab's network, prints what failed and the
summary, and exits 0 when the verdicts are exactly those the scenario predicts.
`,
} as const;
