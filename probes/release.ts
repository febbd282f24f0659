import { z } from 'zod';
import { defineProbe, UnparsableOutput } from './probe.ts';

export const releaseFact = z.object({
  /** /etc/os-release (or /usr/lib/os-release); null when neither exists. */
  osRelease: z
    .object({
      id: z.string(),
      idLike: z.array(z.string()),
      versionId: z.string().nullable(),
      prettyName: z.string().nullable(),
    })
    .nullable(),
  /** /etc/centos-release; null when it does not exist. */
  centosRelease: z
    .object({
      /** The first line, trailing whitespace stripped. */
      text: z.string(),
      /** The distribution name before " release", e.g. "CentOS Linux", "CentOS Stream", "Rocky Linux". */
      name: z.string(),
      version: z.string().nullable(),
    })
    .nullable(),
  /** Where /etc/centos-release really points (Rocky/Alma link it to their own file); null when absent. */
  centosReleasePath: z.string().nullable(),
});

export const releaseProbe = defineProbe({
  id: 'release',
  description: 'The distribution, from /etc/os-release and /etc/centos-release.',
  example: '{ osRelease: { id: "centos", versionId: "7" }, centosRelease: { name: "CentOS Linux", version: "7.9.2009" } }',
  commands: () => ({
    osRelease: 'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release',
    centosRelease: 'cat /etc/centos-release',
    centosReleasePath: 'readlink -e /etc/centos-release',
  }),
  schema: releaseFact,
  parse() {
    throw new UnparsableOutput('parser pending', '');
  },
});
