import type { RunReport } from '../../outputs/report.ts';

/** How a check reads in results.json, without what may differ between two runs of the same hosts: the time spent judging it. */
const comparable = ({ durationMs: _time, ...result }: RunReport['results'][number]) => result;
/** How a host reads in results.json, without how and when it was read (where labspec connected to is how). */
const comparableHost = ({
  address: _address,
  transport: _transport,
  startedAt: _startedAt,
  durationMs: _time,
  notes: _notes,
  ...host
}: RunReport['hosts'][number]) => host;

/**
 * The differences between two reports of the same hosts, one line each: every verdict (status,
 * expected, actual, source, message, fix) and every host record, modulo times and the transport.
 * Empty when they agree.
 */
export function reportDifferences(a: RunReport, b: RunReport): string[] {
  const key = (r: RunReport['results'][number]) => `${r.lab}/${r.host ?? '(lab)'} › ${r.check}`;
  const differences: string[] = [];
  const other = new Map(b.results.map((r) => [key(r), r]));
  for (const result of a.results) {
    const twin = other.get(key(result));
    other.delete(key(result));
    if (twin === undefined) differences.push(`${key(result)}: only in the first report`);
    else if (JSON.stringify(comparable(result)) !== JSON.stringify(comparable(twin)))
      differences.push(`${key(result)}: ${JSON.stringify(comparable(result))} ≠ ${JSON.stringify(comparable(twin))}`);
  }
  for (const k of other.keys()) differences.push(`${k}: only in the second report`);
  const hostsA = a.hosts.map((h) => JSON.stringify(comparableHost(h)));
  const hostsB = b.hosts.map((h) => JSON.stringify(comparableHost(h)));
  if (JSON.stringify(hostsA) !== JSON.stringify(hostsB))
    differences.push(`hosts: ${hostsA.join(' ')} ≠ ${hostsB.join(' ')}`);
  if (JSON.stringify(a.summary) !== JSON.stringify(b.summary))
    differences.push(`summary: ${JSON.stringify(a.summary)} ≠ ${JSON.stringify(b.summary)}`);
  return differences;
}
