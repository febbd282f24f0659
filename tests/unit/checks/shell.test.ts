import { parse } from 'shell-quote';
import { describe, expect, it } from 'vitest';
import { shellCommand, shellWord } from '../../../checks/shell.ts';

const HOSTILE = ["pool.ntp.org'; rm -rf / #", 'a b', '$(reboot)', '`id`', 'x\ny', "it's", '', '-n', '*', 'a;b|c&d'];

describe('shellWord', () => {
  it('leaves plain words as they are, so fixes read like the tutorial', () => {
    for (const word of ['2.kr.pool.ntp.org', '10.0.0.0/24', '/etc/chrony.conf', 'controller', 'user@host:22']) {
      expect(shellWord(word)).toBe(word);
    }
  });

  it.each(HOSTILE)('quotes %j into exactly one word that reads back the same', (value) => {
    expect(parse(`echo ${shellWord(value)}`)).toEqual(['echo', value]);
  });

  it('builds a command whose words parse back one to one', () => {
    const words = ['echo', ...HOSTILE];
    expect(parse(shellCommand(...words))).toEqual(words);
  });
});
