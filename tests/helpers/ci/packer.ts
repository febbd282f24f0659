/**
 * The Packer template in examples/ci/packer, built for real by Packer with one substitution: its VM source (qemu,
 * which needs KVM and a CentOS 7 disk) is replaced by Packer's `null` source pointed at a host that answers SSH,
 * so every provisioner of the build runs unchanged: shell-local on this machine, file and shell in the host.
 */
import { readFileSync } from 'node:fs';

export interface HclBlock {
  type: string;
  labels: string[];
  /** Offsets of the block's text in the file, from its type to its closing brace. */
  start: number;
  end: number;
  /** The blocks inside it. */
  blocks: HclBlock[];
}

/**
 * Blocks of an HCL file and the blocks inside them, found by matching braces outside strings, `${}` inside them,
 * heredocs and comments. Attributes are left as text.
 */
export function hclBlocks(source: string, from = 0, to = source.length): HclBlock[] {
  const blocks: HclBlock[] = [];
  let i = from;
  while (i < to) {
    const rest = source.slice(i, to);
    const head = /^([A-Za-z_][\w-]*)((?:\s+"[^"]*")*)\s*\{/.exec(rest);
    const lineStart =
      i === 0 || source[i - 1] === '\n' || /^\s*$/.test(source.slice(source.lastIndexOf('\n', i - 1) + 1, i));
    if (head && lineStart) {
      const open = i + head[0].length - 1;
      const close = matchingBrace(source, open);
      blocks.push({
        type: head[1]!,
        labels: [...head[2]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]!),
        start: i,
        end: close + 1,
        blocks: hclBlocks(source, open + 1, close),
      });
      i = close + 1;
    } else {
      i = skipToken(source, i);
    }
  }
  return blocks;
}

/** The offset after the token at `i`: a comment, a string, a heredoc, or one character. */
function skipToken(source: string, i: number): number {
  const rest = source.slice(i, i + 2);
  if (rest === '//' || rest[0] === '#') return source.indexOf('\n', i) === -1 ? source.length : source.indexOf('\n', i);
  if (rest === '/*') return source.indexOf('*/', i) + 2;
  if (rest[0] === '"') {
    let j = i + 1;
    while (source[j] !== '"') {
      if (source[j] === '\\') j += 2;
      else if (source.startsWith('${', j)) j = matchingBrace(source, j + 1) + 1;
      else j++;
      if (j >= source.length) throw new Error('unterminated string');
    }
    return j + 1;
  }
  const heredoc = /^<<-?(\w+)\n/.exec(source.slice(i));
  if (heredoc) {
    const end = new RegExp(`\\n\\s*${heredoc[1]}\\s*\\n`).exec(source.slice(i));
    if (!end) throw new Error(`unterminated heredoc ${heredoc[1]}`);
    return i + end.index + end[0].length - 1;
  }
  return i + 1;
}

function matchingBrace(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length;) {
    if (source[i] === '{') depth++;
    if (source[i] === '}' && --depth === 0) return i;
    i = source[i] === '{' || source[i] === '}' ? i + 1 : skipToken(source, i);
  }
  throw new Error('unbalanced braces');
}

export interface GateBuild {
  /** The template with the VM source replaced: what the test gives Packer. */
  template: string;
  /** Each provisioner of the build, in order: its type and its text as written. */
  provisioners: Array<{ type: string; text: string }>;
  /** What was replaced, for the test to show. */
  replacedSource: string;
}

/**
 * The template of `path` with its one source block replaced by a `null` source of the same name that connects to
 * `ssh` (the builds refer to it as source.null.NAME), everything else as written.
 */
export function withNullSource(
  path: string,
  ssh: { host: string; port: number; username: string; privateKeyFile: string },
): GateBuild {
  const source = readFileSync(path, 'utf8');
  const top = hclBlocks(source);
  const sources = top.filter((b) => b.type === 'source');
  const builds = top.filter((b) => b.type === 'build');
  if (sources.length !== 1 || builds.length !== 1) throw new Error(`${path}: one source and one build expected`);
  const [vm] = sources as [HclBlock];
  const [type, name] = vm.labels as [string, string];
  const build = builds[0]!;
  const buildText = source.slice(build.start, build.end);
  const reference = `"source.${type}.${name}"`;
  if (buildText.split(reference).length !== 2) throw new Error(`${path}: the build names ${reference} once`);
  const replacement = [
    `source "null" "${name}" {`,
    `  ssh_host             = "${ssh.host}"`,
    `  ssh_port             = ${ssh.port}`,
    `  ssh_username         = "${ssh.username}"`,
    `  ssh_private_key_file = "${ssh.privateKeyFile}"`,
    `}`,
  ].join('\n');
  const template =
    source.slice(0, vm.start) +
    replacement +
    source.slice(vm.end, build.start) +
    buildText.replace(reference, `"source.null.${name}"`) +
    source.slice(build.end);
  return {
    template,
    replacedSource: source.slice(vm.start, vm.end),
    provisioners: build.blocks
      .filter((b) => b.type === 'provisioner')
      .map((b) => ({ type: b.labels[0]!, text: source.slice(b.start, b.end) })),
  };
}
