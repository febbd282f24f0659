import { isIP } from 'node:net';
import { z } from 'zod';
import { CHECK_PATTERN, CHECK_PATTERN_EXPECTED, CHECK_PROFILES } from './choices.ts';

export const role = z.enum(['controller', 'compute'], { error: 'expected controller | compute' });
export type Role = z.infer<typeof role>;

/** A hostname label: what host and lab names must be. */
export const hostName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i, 'expected a hostname label: letters, digits and -');

const cidr = z.string().refine((value) => {
  const [address, prefix, ...rest] = value.split('/');
  return rest.length === 0 && isIP(address ?? '') === 4 && /^\d+$/.test(prefix ?? '') && Number(prefix) <= 32;
}, 'expected an IPv4 CIDR such as 10.0.0.0/24');

/** What chrony.conf's `server`/`pool` takes: a DNS name or an IP address, nothing a shell could read as syntax. */
const ntpServer = z
  .string()
  .refine(
    (value) =>
      isIP(value) !== 0 ||
      /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i.test(value),
    'expected a host name or an IP address, such as 2.kr.pool.ntp.org',
  );

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the NAME of an environment variable');

/** The host key types labspec can verify (ssh2's), as OpenSSH names them in a `.pub` file or known_hosts. */
export const HOST_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
] as const;

/**
 * A host's public key as its `/etc/ssh/ssh_host_*_key.pub` holds it: `type base64 [comment]`. The key blob names its
 * own type; the two must agree, so a key pasted into the wrong field or cut short is caught here, not at connect time.
 */
const hostPublicKey = z.string().refine(
  (value) => {
    const [type, base64] = value.trim().split(/\s+/);
    if (!HOST_KEY_TYPES.includes(type as (typeof HOST_KEY_TYPES)[number])) return false;
    if (!base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return false;
    const blob = Buffer.from(base64, 'base64');
    const length = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
    return length > 0 && blob.subarray(4, 4 + length).toString('latin1') === type;
  },
  `expected a host public key 'TYPE BASE64', as in /etc/ssh/ssh_host_ed25519_key.pub (TYPE one of ${HOST_KEY_TYPES.join(', ')})`,
);

/** Connection settings: in `defaults`, overridable per host. Secrets are only ever named by an environment variable. */
const connectionFields = {
  transport: z.enum(['ssh', 'local']).optional(),
  user: z.string().min(1).optional(),
  port: z.int().min(1).max(65535).optional(),
  identityFile: z.string().min(1).optional(),
  passwordEnv: envVarName.optional(),
  passphraseEnv: envVarName.optional(),
  /** The private key itself is in this environment variable (a CI secret), instead of a file. */
  privateKeyEnv: envVarName.optional(),
  knownHostsFile: z.string().min(1).optional(),
  strictHostKeyChecking: z.enum(['yes', 'accept-new']).optional(),
  /** The host's key, given by whoever built it: the only key accepted, whatever known_hosts says. */
  hostKey: hostPublicKey.optional(),
  proxyJump: z.string().min(1).optional(),
  connectTimeoutSeconds: z.number().positive().max(600).optional(),
  deadlineSeconds: z.number().positive().max(3600).optional(),
  /** A file a probe prints is kept up to this, cut on the host; past it the probe's checks error. */
  maxProbeOutputMiB: z.number().positive().max(1024).optional(),
  /** Output read per host in all; past it labspec stops reading that host. */
  maxHostOutputMiB: z.number().positive().max(4096).optional(),
};

/** Keys people write by habit that must never hold a secret in the file. */
const forbiddenSecrets = {
  password: z
    .never({
      error: 'never write a password in the inventory; put it in an environment variable and name it with passwordEnv',
    })
    .optional(),
  passphrase: z
    .never({
      error:
        'never write a passphrase in the inventory; put it in an environment variable and name it with passphraseEnv',
    })
    .optional(),
};

/** A key named twice in one place — a file and a variable — would leave labspec to guess which one was meant. */
function oneKeySource(
  settings: { identityFile?: string | undefined; privateKeyEnv?: string | undefined },
  context: z.RefinementCtx,
) {
  if (settings.identityFile !== undefined && settings.privateKeyEnv !== undefined) {
    context.addIssue({
      code: 'custom',
      path: ['privateKeyEnv'],
      message: 'give the private key either as a file (identityFile) or in a variable (privateKeyEnv), not both',
    });
  }
}

const connection = z.strictObject({ ...connectionFields, ...forbiddenSecrets }).superRefine(oneKeySource);

const host = z
  .strictObject({
    name: hostName,
    address: z.string().min(1),
    /** The address the host has on the lab network, when `address` goes through NAT or a port forward. */
    labAddress: z.ipv4().optional(),
    /**
     * The hostname the host must have, its name when not given. Given, it is the host's own: the image profile
     * judges host.hostname then, for an image built with its final hostname.
     */
    hostname: hostName.optional(),
    role,
    ...connectionFields,
    ...forbiddenSecrets,
  })
  .superRefine(oneKeySource);

/** The names os.release tells apart; see checks/system.ts. */
export const RELEASE_NAMES = ['CentOS Linux', 'CentOS Stream', 'EL'] as const;

/**
 * The distribution os.release expects: `CentOS Linux` (the tutorial's), `CentOS Stream`, or `EL` (RHEL or
 * any distribution whose os-release says it is one of RHEL's family: Rocky, AlmaLinux, Oracle Linux, CentOS …),
 * at one major version.
 */
const release = z.strictObject(
  {
    name: z.enum(RELEASE_NAMES, { error: `expected ${RELEASE_NAMES.join(' | ')}` }),
    major: z
      .int({ error: 'expected the major version, a whole number such as 7' })
      .min(1, 'expected the major version, a whole number such as 7'),
  },
  {
    error:
      'expected { name: CentOS Linux | CentOS Stream | EL, major: <number> }, e.g. { name: CentOS Linux, major: 7 }',
  },
);
export const DEFAULT_RELEASE = { name: 'CentOS Linux', major: 7 } as const;

/** Expected values; every field has the tutorial's default. */
const labSettings = z.strictObject({
  name: hostName.optional(),
  subnet: cidr.default('10.0.0.0/24'),
  ntpUpstream: ntpServer.default('2.kr.pool.ntp.org'),
  minCpus: z.int().positive().default(2),
  minRootDiskGiB: z.number().positive().default(60),
  /** The distribution and major version every host must run (os.release). */
  release: release.default({ ...DEFAULT_RELEASE }),
  /** Replaced by `release`: one line saying what to write instead. */
  acceptRebuilds: z
    .never({
      error: (issue) =>
        issue.input === false
          ? 'acceptRebuilds was replaced by lab.release: remove the line (the default is `release: { name: CentOS Linux, major: 7 }`)'
          : 'acceptRebuilds was replaced by lab.release: write `release: { name: EL, major: N }` instead, N the major version your hosts run (EL accepts RHEL and its rebuilds: Rocky, AlmaLinux, Oracle Linux, CentOS)',
    })
    .optional(),
  /** How long a compute node may wait for chrony to select its source. */
  chronySyncWaitSeconds: z.int().min(0).max(120).default(10),
});

const hostList = z.array(host).min(1, 'expected at least one host');

const checkProfile = z.enum(CHECK_PROFILES, { error: `expected ${CHECK_PROFILES.join(' | ')}` });
const checkPattern = z.string().regex(CHECK_PATTERN, CHECK_PATTERN_EXPECTED);

/** Which checks a run judges: only some, and some skipped with the reason the reports show. */
const checkChoices = z.strictObject({
  only: z.array(checkPattern).min(1, 'expected at least one check ID or glob').optional(),
  skip: z
    .array(
      z.strictObject(
        {
          id: checkPattern,
          reason: z
            .string({ error: 'expected the reason the reports show for the skip' })
            .trim()
            .min(1, 'expected the reason the reports show for the skip'),
        },
        { error: 'expected { id: <check ID or glob>, reason: <why it is skipped> }' },
      ),
    )
    .optional(),
});

/** The checks a run judges: set once for the whole inventory, a class included. */
const checkSelection = {
  profile: checkProfile.optional(),
  checks: checkChoices.optional(),
};

export const singleLab = z.strictObject({
  lab: labSettings.default(labSettings.parse({})),
  defaults: connection.default({}),
  hosts: hostList,
  ...checkSelection,
});

/**
 * Machine identities two students' VMs should never share: the SSH host key seen when connecting, /etc/machine-id,
 * the MAC addresses of physical interfaces, and the root filesystem's UUID (shared by every VM made from one base
 * image, so it only counts when the instructor says so).
 */
export const CLONE_FACTS = ['hostKey', 'machineId', 'mac', 'rootFsUuid'] as const;
export const cloneFact = z.enum(CLONE_FACTS, { error: `expected one of ${CLONE_FACTS.join(', ')}` });
export type CloneFact = z.infer<typeof cloneFact>;

/** Who a lab belongs to, as resolved: separate from the lab's `name`, the hostname label used in report paths. */
export const student = z.strictObject({
  /** Free-form: `2024-1234`, `maria.garcia`, `jdoe_22`; the lab's name when the inventory gives none. */
  id: z.string().min(1),
  displayName: z.string().nullable(),
  /** The people of a team lab, in the roster's order. */
  members: z.array(z.string()),
  /** The identifier the LMS (Moodle) knows the student by: its ID number, email or username. */
  lmsId: z.string().nullable(),
});
export type Student = z.infer<typeof student>;

/** A line of text the reports show: a name, a team member, an LMS identifier. */
const oneLine = z
  .string({
    error: (issue) =>
      typeof issue.input === 'number'
        ? `write it in quotes, e.g. "${String(issue.input)}": YAML reads a bare number as a number (leading zeros are lost)`
        : 'expected text',
  })
  .min(1, 'expected text, not an empty value')
  .max(200, 'at most 200 characters')
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'expected one line of text, without control characters');

/** Who a lab belongs to, as the inventory writes it; all optional, the lab's name is the id when there is none. */
const studentFields = {
  /** Free-form: `2024-1234`, `maria.garcia`, `jdoe_22`. */
  id: oneLine.optional(),
  displayName: oneLine.optional(),
  members: z.array(oneLine).optional(),
  /** The identifier the LMS (Moodle) knows the student by; the id when not given. */
  lmsId: oneLine.optional(),
};

/** Points per check id, the grade scale, and which machine identities make two labs clones (and what follows). */
export const rubricSettings = z.strictObject({
  points: z
    .record(
      z.string(),
      z
        .number({ error: 'expected a number of points, e.g. 3' })
        .nonnegative('expected 0 or more points')
        .max(1000, 'at most 1000 points'),
      { error: 'expected check ids with their points, e.g. { topology.ntp: 5 }' },
    )
    .optional(),
  gradeScale: z
    .number({ error: 'expected the grade a lab with every point gets, e.g. 100' })
    .positive('expected a grade above 0')
    .max(100000)
    .optional(),
  clones: z
    .strictObject({
      facts: z.array(cloneFact).optional(),
      consequence: z.enum(['none', 'zero'], { error: 'expected none (flag only) | zero (grade 0)' }).optional(),
    })
    .optional(),
});
export type RubricSettings = z.infer<typeof rubricSettings>;

/** One lab of a class: its name (a hostname label, for report paths) or its student's id, or both. */
export const labEntry = z
  .strictObject({
    name: hostName.optional(),
    ...studentFields,
    lab: labSettings.default(labSettings.parse({})),
    defaults: connection.optional(),
    hosts: hostList,
  })
  .superRefine((entry, context) => {
    if (entry.name === undefined && entry.id === undefined) {
      context.addIssue({ code: 'custom', path: ['name'], message: 'give the lab a name or its student an id' });
    }
  });
export type LabEntry = z.infer<typeof labEntry>;

/** A class of student labs: shared defaults, one entry per lab. */
export const manyLabs = z.strictObject({
  defaults: connection.default({}),
  rubric: rubricSettings.optional(),
  labs: z.array(labEntry).min(1, 'expected at least one lab'),
  ...checkSelection,
});

/** A roster row as written in the inventory: the student's fields and any values the template names as `{column}`. */
const rosterRow = z.record(z.string(), z.union([z.string(), z.number(), z.array(z.string())]), {
  error: 'expected a student: { id: ..., displayName: ..., lmsId: ..., and the values the template uses }',
});

/** Template values before the roster fills them in: checked as a lab once each student's values are in. */
const templateValues = z.record(z.string(), z.unknown(), { error: 'expected a mapping' });

/** A class written once: a roster of students (a CSV file or a list) and one lab template with `{column}` placeholders. */
export const rosterClass = z.strictObject({
  labs: z.never({ error: 'write a class either as labs: or as roster: with template:, not both' }).optional(),
  defaults: connection.default({}),
  rubric: rubricSettings.optional(),
  roster: z.union([z.string().min(1), z.array(rosterRow).min(1, 'expected at least one student')], {
    error: 'expected the path of a roster CSV file, or a list of students',
  }),
  template: z.strictObject(
    {
      lab: templateValues.optional(),
      defaults: templateValues.optional(),
      hosts: z.array(templateValues).min(1, 'expected at least one host'),
    },
    { error: 'expected { lab, defaults, hosts }: one lab, with {column} placeholders filled from each roster row' },
  ),
  ...checkSelection,
});

export type ConnectionSettings = z.infer<typeof connection>;

/** A lab's expected values once resolved: what the checks, the snapshots and the reports carry. */
export const resolvedLabSettings = z.strictObject({
  name: z.string(),
  subnet: labSettings.shape.subnet.unwrap(),
  ntpUpstream: labSettings.shape.ntpUpstream.unwrap(),
  minCpus: labSettings.shape.minCpus.unwrap(),
  minRootDiskGiB: labSettings.shape.minRootDiskGiB.unwrap(),
  /** In a snapshot written before `release` replaced it. */
  acceptRebuilds: z
    .never({ error: 'written by a labspec before lab.release replaced acceptRebuilds: gather the hosts again' })
    .optional(),
  release: labSettings.shape.release.unwrap(),
  chronySyncWaitSeconds: labSettings.shape.chronySyncWaitSeconds.unwrap(),
});
export type LabSettings = z.infer<typeof resolvedLabSettings>;

/** Who a host is in its lab: all the checks, snapshots and reports need to know of it. */
export const hostIdentity = z.strictObject({
  lab: z.string(),
  name: z.string(),
  /** Where to connect. */
  address: z.string(),
  /** The host's address on the lab network; `address` unless the inventory says otherwise. */
  labAddress: z.string(),
  role,
  /** The hostname the host must have, when the inventory gives it (`hostname`, `--hostname`); otherwise its name. */
  hostname: z.string().optional(),
});
export type HostIdentity = z.infer<typeof hostIdentity>;
