import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { isMap, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { manyLabs, singleLab, type ConnectionSettings, type HostIdentity, type LabSettings } from './schema.ts';

export interface Connection {
  transport: 'ssh' | 'local';
  user?: string;
  port?: number;
  identityFile?: string;
  passwordEnv?: string;
  passphraseEnv?: string;
  knownHostsFile: string;
  strictHostKeyChecking: 'yes' | 'accept-new';
  proxyJump?: string;
  connectTimeoutSeconds: number;
  deadlineSeconds: number;
  maxProbeOutputMiB: number;
  maxHostOutputMiB: number;
}

export interface HostSpec extends HostIdentity {
  connection: Connection;
}

export interface Lab {
  settings: LabSettings;
  hosts: HostSpec[];
}

export interface Inventory {
  file: string;
  labs: Lab[];
}

/** One line per problem, each naming the file, the line and the path. */
export class InventoryError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.problems = problems;
    this.name = 'InventoryError';
  }
}

/** What the reports call a lab's cross-host suite (`<lab>.lab`): no host may take the name. */
export const CROSS_HOST_NAME = 'lab';
const DEFAULT_LAB_NAME = 'default';

/** Far above any real class inventory; a limit keeps /dev/zero or a huge file from filling memory. */
export const MAX_INVENTORY_BYTES = 4 * 1024 * 1024;
/** YAML anchors may share a block between labs; an alias bomb stops here. */
const MAX_ALIASES = 1000;

export function loadInventory(file: string): Inventory {
  return parseInventory(readInventoryText(file), file);
}

/** Only a regular file is read, and only up to a limit: a FIFO would hang the run, a device would never end. */
function readInventoryText(file: string): string {
  const problem = (reason: string) => new InventoryError([`${file}: ${reason}`]);
  let fd: number | undefined;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw problem('not a regular file; give the path of the inventory YAML');
    if (stat.size > MAX_INVENTORY_BYTES) throw problem(`${stat.size} bytes, larger than ${MAX_INVENTORY_BYTES}`);
    fd = openSync(file, 'r');
    const buffer = Buffer.alloc(MAX_INVENTORY_BYTES + 1);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    if (length > MAX_INVENTORY_BYTES) throw problem(`larger than ${MAX_INVENTORY_BYTES} bytes`);
    return buffer.toString('utf8', 0, length);
  } catch (error) {
    if (error instanceof InventoryError) throw error;
    throw problem(`cannot read the inventory (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function parseInventory(text: string, file: string): Inventory {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    throw new InventoryError(doc.errors.map((e) => `${file}:${lineOf(e.pos[0])} YAML: ${firstLine(e.message)}`));
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    throw new InventoryError([`${file}:${aliasLine(doc, lineOf)} YAML: ${firstLine((error as Error).message)}`]);
  }
  const usesLabs = isMap(doc.contents) && doc.contents.has('labs');
  const schema = usesLabs ? manyLabs : singleLab;
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new InventoryError(parsed.error.issues.map((issue) => describeIssue(issue, doc, lineOf, file)));
  }
  const labs =
    'labs' in parsed.data
      ? parsed.data.labs.map((lab) =>
          buildLab(lab.name, lab.lab, { ...parsed.data.defaults, ...lab.defaults }, lab.hosts),
        )
      : [buildLab(parsed.data.lab.name ?? DEFAULT_LAB_NAME, parsed.data.lab, parsed.data.defaults, parsed.data.hosts)];
  const problems = labs.flatMap((lab, index) => crossFieldProblems(lab, usesLabs ? `labs[${index}].` : ''));
  const names = labs.map((lab) => lab.settings.name);
  for (const [index, name] of names.entries()) {
    if (names.indexOf(name) !== index) problems.push(`labs[${index}].name: duplicate lab name ${name}`);
  }
  if (problems.length > 0) {
    throw new InventoryError(problems.map((p) => `${file}:${lineOfPath(doc, pathFromText(p), lineOf)} ${p}`));
  }
  return { file, labs };
}

type HostEntry = z.infer<typeof singleLab>['hosts'][number];

function buildLab(
  name: string,
  settings: z.infer<typeof singleLab>['lab'],
  defaults: ConnectionSettings,
  hosts: HostEntry[],
): Lab {
  return {
    settings: { ...settings, name },
    hosts: hosts.map(({ name: hostName, address, labAddress, role, ...overrides }) => ({
      lab: name,
      name: hostName,
      address,
      labAddress: labAddress ?? address,
      role,
      connection: resolveConnection({ ...defaults, ...withoutUndefined(overrides) }),
    })),
  };
}

function resolveConnection(settings: ConnectionSettings): Connection {
  const { password: _password, passphrase: _passphrase, ...rest } = settings;
  return {
    ...rest,
    transport: rest.transport ?? 'ssh',
    knownHostsFile: rest.knownHostsFile ?? '~/.ssh/known_hosts',
    strictHostKeyChecking: rest.strictHostKeyChecking ?? 'yes',
    connectTimeoutSeconds: rest.connectTimeoutSeconds ?? 10,
    deadlineSeconds: rest.deadlineSeconds ?? 60,
    maxProbeOutputMiB: rest.maxProbeOutputMiB ?? 8,
    maxHostOutputMiB: rest.maxHostOutputMiB ?? 32,
  };
}

function crossFieldProblems(lab: Lab, prefix: string): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  lab.hosts.forEach((host, index) => {
    const first = seen.get(host.name);
    if (first !== undefined)
      problems.push(`${prefix}hosts[${index}].name: duplicate host name ${host.name} (also hosts[${first}])`);
    else seen.set(host.name, index);
    if (host.name.toLowerCase() === CROSS_HOST_NAME) {
      problems.push(
        `${prefix}hosts[${index}].name: '${CROSS_HOST_NAME}' names the cross-host checks in the reports; rename the host`,
      );
    }
  });
  lab.hosts.forEach((host, index) => {
    if (isIP(host.labAddress) !== 4)
      problems.push(
        `${prefix}hosts[${index}].labAddress: required when address (${host.address}) is not an IPv4 address: the lab address is what /etc/hosts and chrony must name`,
      );
  });
  const controllers = lab.hosts.filter((h) => h.role === 'controller');
  if (controllers.length > 1) {
    const index = lab.hosts.indexOf(controllers[1]!);
    problems.push(
      `${prefix}hosts[${index}].role: a lab has at most one controller (${controllers.map((c) => c.name).join(', ')})`,
    );
  }
  return problems;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  doc: Document,
  lineOf: (offset: number) => number,
  file: string,
): string {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((key) => {
        const path = [...issue.path, key];
        return `${file}:${lineOfPath(doc, path, lineOf, true)} ${formatPath(path)}: unknown key`;
      })
      .join('\n');
  }
  const where = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
  return `${file}:${lineOfPath(doc, issue.path, lineOf)} ${where}${issue.message}`;
}

/** The line of the deepest existing node on the path (a missing key points at its parent). */
function lineOfPath(
  doc: Document,
  path: readonly PropertyKey[],
  lineOf: (offset: number) => number,
  keyNode = false,
): number {
  for (let depth = path.length; depth > 0; depth--) {
    const parentPath = path.slice(0, depth - 1);
    const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath as unknown[], true);
    if (isMap(parent)) {
      const pair = parent.items.find((item) => (item.key as { value?: unknown } | null)?.value === path[depth - 1]);
      const node = (keyNode ? pair?.key : (pair?.value ?? pair?.key)) as
        { range?: [number, number, number] } | undefined;
      if (node?.range) return lineOf(node.range[0]);
    } else {
      const node = doc.getIn(path.slice(0, depth) as unknown[], true) as
        { range?: [number, number, number] } | undefined;
      if (node?.range) return lineOf(node.range[0]);
    }
  }
  return 1;
}

function formatPath(path: readonly PropertyKey[]): string {
  return (
    path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('') ||
    '(top)'
  );
}

function pathFromText(problem: string): PropertyKey[] {
  const path = problem.split(':')[0] ?? '';
  return [...path.matchAll(/([A-Za-z]\w*)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

/** The line of the first alias that does not resolve, or else of the first alias: where an alias problem starts. */
function aliasLine(doc: Document, lineOf: (offset: number) => number): number {
  let first: number | undefined;
  let unresolved: number | undefined;
  visit(doc, {
    Alias(_, node) {
      const line = node.range ? lineOf(node.range[0]) : 1;
      first ??= line;
      if (unresolved === undefined && !node.resolve(doc)) unresolved = line;
    },
  });
  return unresolved ?? first ?? 1;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
