/** Long enough for any real id, short of every filesystem's 255-byte name limit with an extension (UTF-8: 4 bytes a character). */
const MAX_STEM = 60;

/**
 * A file name stem for each id, in order: letters (any script), digits, `.`, `-` and `_` kept, anything else (a path
 * separator, a space, a control character) becomes `_`; no leading dot, never empty. Two ids that would give the
 * same stem, even differing only in case (macOS and Windows folders ignore case), get `-2`, `-3` … in order.
 */
export function safeFileStems(ids: readonly string[]): string[] {
  const taken = new Set<string>();
  return ids.map((id) => {
    const base = stemOf(id);
    let stem = base;
    for (let n = 2; taken.has(stem.toLowerCase()); n++) stem = `${base}-${n}`;
    taken.add(stem.toLowerCase());
    return stem;
  });
}

function stemOf(id: string): string {
  const cleaned = [...id.normalize('NFC')]
    .map((c) => (/^[\p{L}\p{N}._-]$/u.test(c) ? c : '_'))
    .join('')
    .replace(/^\.+/, (dots) => '_'.repeat(dots.length));
  const short = [...cleaned].slice(0, MAX_STEM).join('');
  if (short === '') return 'student';
  // Windows cannot open these names with any extension.
  return /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(short) ? `_${short}` : short;
}
