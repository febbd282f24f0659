/** A `--target` as typed: read, and shown in messages. Free of the schema library, for the command line to load early. */

/** What a `--target` names: where to connect, and how. */
export interface TargetAddress {
  transport: 'ssh' | 'local';
  address: string;
  user?: string;
  port?: number;
}

/** A target as messages show it: a password typed into it by mistake is never repeated into a CI log. */
export function shownTarget(text: string): string {
  return text.replace(/^(ssh:\/\/[^:@/]*):[^@/]*@/, '$1:***@');
}

const TARGET_FORMS = 'expected ssh://[user@]host[:port] or local';

/** `local`, `local://` or `ssh://[user@]host[:port]` (an IPv6 host in brackets), or why it is none of them. */
export function parseTarget(text: string): TargetAddress | { problem: string } {
  if (text === 'local' || text === 'local://') return { transport: 'local', address: 'localhost' };
  if (!text.startsWith('ssh://')) return { problem: TARGET_FORMS };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: TARGET_FORMS };
  }
  if (url.password !== '') {
    return { problem: 'never put a password in --target; name the variable that holds it with --password-env' };
  }
  if (!['', '/'].includes(url.pathname) || url.search !== '' || url.hash !== '' || url.hostname === '') {
    return { problem: TARGET_FORMS };
  }
  return {
    transport: 'ssh',
    address: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    ...(url.port ? { port: Number(url.port) } : {}),
  };
}
