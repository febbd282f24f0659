/**
 * The benchmark's inventory: N hosts host1…hostN, all 127.0.0.1 on their own sshd port, each with a
 * unique lab address (10.0.x.y, y 1…254) on 10.0.0.0/16.
 *
 * `labs` (the default): labs of 2 hosts (lab1: host1 controller + host2 compute, lab2: host3 + host4 …),
 * like a class of student labs; per-lab checks stay per lab, so the judging work grows linearly with N.
 * `flat`: one lab of N hosts, host1 its controller; every host is then judged against every other
 * host's /etc/hosts entry (hosts.<name>: N² verdicts), which is what a single lab of N hosts costs.
 */
export type Layout = 'labs' | 'flat';

export interface InventoryOptions {
  ports: number[];
  identityFile: string;
  knownHostsFile: string;
  layout: Layout;
  /** lab.chronySyncWaitSeconds: 0 so a compute sends the same commands as the floor's controller bundle. */
  chronySyncWaitSeconds: number;
}

export function labAddress(i: number): string {
  return `10.0.${Math.floor(i / 254)}.${(i % 254) + 1}`;
}

export function inventoryYaml(o: InventoryOptions): string {
  const host = (i: number, role: 'controller' | 'compute', indent: string) =>
    [
      `${indent}- name: host${i + 1}`,
      `${indent}  address: 127.0.0.1`,
      `${indent}  port: ${o.ports[i]}`,
      `${indent}  labAddress: ${labAddress(i)}`,
      `${indent}  role: ${role}`,
    ].join('\n');
  const lab = (indent: string) =>
    [`${indent}subnet: 10.0.0.0/16`, `${indent}chronySyncWaitSeconds: ${o.chronySyncWaitSeconds}`].join('\n');
  const defaults = [
    'defaults:',
    '  user: root',
    `  identityFile: ${o.identityFile}`,
    `  knownHostsFile: ${o.knownHostsFile}`,
    '  strictHostKeyChecking: yes',
  ].join('\n');
  const n = o.ports.length;
  if (o.layout === 'flat') {
    const hosts = o.ports.map((_, i) => host(i, i === 0 ? 'controller' : 'compute', '  '));
    return `# labspec bench: ${n} hosts, one lab\nlab:\n${lab('  ')}\n${defaults}\nhosts:\n${hosts.join('\n')}\n`;
  }
  const labs: string[] = [];
  for (let i = 0; i < n; i += 2) {
    const hosts = [host(i, 'controller', '      ')];
    if (i + 1 < n) hosts.push(host(i + 1, 'compute', '      '));
    labs.push(`  - name: lab${i / 2 + 1}\n    lab:\n${lab('      ')}\n    hosts:\n${hosts.join('\n')}`);
  }
  return `# labspec bench: ${n} hosts, labs of 2\n${defaults}\nlabs:\n${labs.join('\n')}\n`;
}
