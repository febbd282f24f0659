import { InventoryError, singleLabInventory, withoutUndefined, type Inventory } from './load.ts';
import { singleLab } from './schema.ts';
import { parseTarget, shownTarget } from './target-url.ts';

/** One `--target` and the options after it that describe that host. */
export interface TargetFlags {
  /** `ssh://[user@]host[:port]`, or `local` for this machine. */
  target: string;
  role?: string | undefined;
  name?: string | undefined;
  labAddress?: string | undefined;
  hostKey?: string | undefined;
  /** The hostname the image was built with, when it is its final one. */
  hostname?: string | undefined;
}

/** The options that apply to every `--target`; paths already absolute. */
export interface TargetConnectionFlags {
  identity?: string | undefined;
  identityEnv?: string | undefined;
  passwordEnv?: string | undefined;
  knownHosts?: string | undefined;
  acceptNewHostKey: boolean;
}

/** The inventory key each flag sets, so that a problem names the flag the user typed. */
const HOST_FLAGS: Record<string, string> = {
  name: '--name',
  role: '--role',
  labAddress: '--lab-address',
  hostKey: '--host-key',
  hostname: '--hostname',
};
const CONNECTION_FLAGS: Record<string, string> = {
  identityFile: '--identity',
  privateKeyEnv: '--identity-env',
  passwordEnv: '--password-env',
  knownHostsFile: '--known-hosts',
  strictHostKeyChecking: '--accept-new-host-key',
};

/**
 * A lab of the hosts named on the command line, built as an inventory file's lab is built: the same schema, the same
 * defaults and the same checks of every value. Each `--target` is a host; the connection options are its defaults.
 */
export function adHocInventory(targets: readonly TargetFlags[], connection: TargetConnectionFlags): Inventory {
  const label = (index: number) => `target ${index + 1}, ${shownTarget(targets[index]!.target)}`;
  const problems: string[] = [];
  const hosts = targets.map((flags) => {
    const parsed = parseTarget(flags.target);
    const target = `--target ${shownTarget(flags.target)}`;
    if ('problem' in parsed) problems.push(`${target}: ${parsed.problem}`);
    if (flags.role === undefined) problems.push(`${target}: give its role with --role controller|compute after it`);
    if (flags.name === undefined)
      problems.push(`${target}: give its name (its hostname in the lab) with --name NAME after it`);
    const { transport, ...address } = 'problem' in parsed ? { transport: undefined } : parsed;
    return withoutUndefined({
      name: flags.name,
      role: flags.role,
      ...address,
      labAddress: flags.labAddress,
      hostKey: flags.hostKey,
      hostname: flags.hostname,
      ...(transport === 'local' ? { transport } : {}),
    });
  });
  if (problems.length > 0) throw new InventoryError(problems, 'invalid --target');
  const defaults = withoutUndefined({
    identityFile: connection.identity,
    privateKeyEnv: connection.identityEnv,
    passwordEnv: connection.passwordEnv,
    knownHostsFile: connection.knownHosts,
    ...(connection.acceptNewHostKey ? { strictHostKeyChecking: 'accept-new' } : {}),
  });
  const locate = (path: readonly PropertyKey[]) => {
    const [section, index, key] = path;
    if (section === 'hosts' && typeof index === 'number')
      return `${HOST_FLAGS[String(key)] ?? '--target'} (${label(index)})`;
    if (section === 'defaults') return CONNECTION_FLAGS[String(index)] ?? '--target';
    return '--target';
  };
  // Problems name hosts as the file's paths do (hosts[0]); on the command line they are the --targets.
  const asTargets = (problem: string) =>
    problem.replace(/\bhosts\[(\d+)\]/g, (_, n: string) => `target ${Number(n) + 1}`);
  const parsed = singleLab.safeParse({ defaults, hosts });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${locate(issue.path)}: ${asTargets(issue.message)}`);
    throw new InventoryError(issues, 'invalid --target');
  }
  try {
    return singleLabInventory(parsed.data, 'the command line', locate);
  } catch (error) {
    if (error instanceof InventoryError) throw new InventoryError(error.problems.map(asTargets), 'invalid --target');
    throw error;
  }
}
