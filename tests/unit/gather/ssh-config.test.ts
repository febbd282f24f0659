import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { expandPath, parseSshConfig, resolveSshConfig, splitArgs } from '../../../gather/ssh-config.ts';
import { parseProxyJump } from '../../../gather/ssh-target.ts';
import { TransportError } from '../../../gather/transport.ts';

const resolve = (text: string, host: string) => resolveSshConfig(parseSshConfig(text), host);

describe('splitArgs', () => {
  it('handles quotes and trailing comments', () => {
    expect(splitArgs('"/path with space/key" other # comment')).toEqual(['/path with space/key', 'other']);
    expect(splitArgs("'a b' c")).toEqual(['a b', 'c']);
    expect(splitArgs('""')).toEqual(['']);
  });
});

describe('resolveSshConfig', () => {
  const config = `
# global defaults come first
ConnectTimeout 7

Host controller ctl
  HostName 10.0.0.100
  User admin
  Port=2222
  IdentityFile ~/.ssh/lab_key
  IdentityFile "%d/.ssh/%r@%h"

Host *.lab !bastion.lab
  hostname %h.example
  PROXYJUMP jump@bastion.lab:2200
  StrictHostKeyChecking accept-new

Match host controller
  User matched

Host *
  User fallback
  Port 22
  IdentityFile ~/.ssh/id_common
  UserKnownHostsFile ~/.ssh/lab_known_hosts /dev/null
  StrictHostKeyChecking no
  HostKeyAlias ignored-because-first-wins
`;

  it('applies first-obtained values, accumulates IdentityFile, is case-insensitive', () => {
    const c = resolve(config, 'controller');
    expect(c.hostName).toBe('10.0.0.100');
    expect(c.user).toBe('admin');
    expect(c.port).toBe(2222);
    expect(c.connectTimeoutSeconds).toBe(7);
    expect(c.identityFiles).toEqual(['~/.ssh/lab_key', '%d/.ssh/%r@%h', '~/.ssh/id_common']);
    expect(c.userKnownHostsFiles).toEqual(['~/.ssh/lab_known_hosts', '/dev/null']);
    expect(c.strictHostKeyChecking).toBe('no');
    expect(c.proxyJump).toBeUndefined();
  });

  it('a Match host block sees the HostName set so far; this one names the alias, so it does not apply', () => {
    const c = resolve(config, 'controller');
    expect(c.user).toBe('admin');
    expect(c.notes).toEqual([]);
  });

  it('evaluates Match host, originalhost, localuser, all and negation; skips other criteria with a note', () => {
    const text = [
      'Match exec "test -e /nonexistent"',
      '  User from-exec',
      'Match originalhost ctl !host 10.1.*',
      '  Port 2200',
      'Host ctl',
      '  HostName 10.0.0.100',
      'Match host 10.0.0.*,10.9.9.9',
      '  User by-address',
      `Match localuser ${userInfo().username}`,
      '  IdentityFile ~/.ssh/mine',
      'Match all',
      '  ConnectTimeout 3',
      '',
    ].join('\n');
    const c = resolve(text, 'ctl');
    expect(c).toMatchObject({
      hostName: '10.0.0.100',
      port: 2200,
      user: 'by-address',
      identityFiles: ['~/.ssh/mine'],
      connectTimeoutSeconds: 3,
    });
    expect(c.notes).toEqual([
      'ssh_config Match exec test -e /nonexistent: criterion exec is not supported by labspec; block ignored',
    ]);
    const other = resolve(text, 'other');
    expect(other.port).toBeUndefined();
    expect(other.user).toBeUndefined();
  });

  it('matches wildcards, honours negation and expands %h in HostName', () => {
    const c = resolve(config, 'compute1.lab');
    expect(c.hostName).toBe('compute1.lab.example');
    expect(c.proxyJump).toBe('jump@bastion.lab:2200');
    expect(c.strictHostKeyChecking).toBe('accept-new');
    expect(c.user).toBe('fallback');

    const b = resolve(config, 'bastion.lab');
    expect(b.hostName).toBeUndefined();
    expect(b.proxyJump).toBeUndefined();
  });

  it('splices Include files where they stand; the enclosing Host block resumes after them', () => {
    const files: Record<string, string> = {
      'config.d/*': 'Host lab\n  HostName 10.0.0.100\nHost *\n  Port 2222\n',
      'user.conf': 'User student\n',
    };
    const read = (pattern: string) => (files[pattern] ? [{ path: pattern, text: files[pattern]! }] : []);
    const config = parseSshConfig('Include config.d/*\nHost lab\n  User admin\n  Include user.conf\n  Port 22\n', read);
    const lab = resolveSshConfig(config, 'lab');
    expect(lab).toMatchObject({ hostName: '10.0.0.100', port: 2222, user: 'admin' });
    const other = resolveSshConfig(config, 'other');
    expect(other.port).toBe(2222);
    expect(other.user).toBeUndefined();
  });

  it('stops an Include loop at 16 levels, with a note', () => {
    const config = parseSshConfig('Include self\n', () => [{ path: 'self', text: 'Include self\n' }]);
    expect(config.notes).toEqual(['self line 1: Include nested deeper than 16 levels ignored']);
  });

  it('ignores a bad Port with a note', () => {
    const c = resolve('Port banana\n', 'x');
    expect(c.port).toBeUndefined();
    expect(c.notes.join()).toMatch(/bad Port/);
  });
});

describe('expandPath', () => {
  it('expands ~ and tokens', () => {
    const t = { h: '10.0.0.1', r: 'root', p: 2222, n: 'ctl', u: 'me', d: '/home/me' };
    expect(expandPath('~/.ssh/%r@%h:%p', t)).toBe('/home/me/.ssh/root@10.0.0.1:2222');
    expect(expandPath('%d/%u/%n/100%%', t)).toBe('/home/me/me/ctl/100%');
    expect(expandPath('/abs/~notexpanded', t)).toBe('/abs/~notexpanded');
  });
});

describe('parseProxyJump', () => {
  it('parses OpenSSH jump lists', () => {
    expect(parseProxyJump('jump@bastion:2200,inner')).toEqual([
      { user: 'jump', host: 'bastion', port: 2200 },
      { user: undefined, host: 'inner', port: undefined },
    ]);
    expect(parseProxyJump('ssh://u@[::1]:22')).toEqual([{ user: 'u', host: '::1', port: 22 }]);
    expect(parseProxyJump('none')).toEqual([]);
    expect(() => parseProxyJump('h:99999')).toThrow(TransportError);
  });
});
