/**
 * Text as Markdown prose inside a line that reads the same raw and rendered: the characters a CommonMark or GFM
 * renderer would take as syntax within a line are backslash-escaped (`<` too, so no raw HTML reaches the page), and
 * an entity-like `&` stays literal. Line breaks become spaces: the text stays on its line.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?|\n/g, ' ')
    .replace(/[\\`*_[\]<|~]/g, (c) => `\\${c}`)
    .replace(/&(?=#?[a-z0-9]+;)/gi, '&amp;');
}

/** The same for text that starts a line: a leading marker (heading, quote, list item, rule) is escaped too. */
export function escapeMarkdownLine(text: string): string {
  return escapeMarkdown(text.trimStart()).replace(/^([#>+=-]|\d+[.)])/, (mark) =>
    mark.replace(/[#>+=.)-]$/, (c) => `\\${c}`),
  );
}

/**
 * A value as literal text: an inline code span, its fence longer than any run of backticks inside; a value of several
 * lines becomes a fenced block, indented to sit inside a list item. Nothing inside either is Markdown or HTML.
 */
export function markdownCode(value: string, indent = ''): string {
  const longestRun = Math.max(0, ...[...value.matchAll(/`+/g)].map((m) => m[0].length));
  if (!/[\r\n]/.test(value)) {
    const fence = '`'.repeat(longestRun + 1);
    const pad = value.startsWith('`') || value.endsWith('`') || /^ .* $/.test(value) ? ' ' : '';
    return `${fence}${pad}${value}${pad}${fence}`;
  }
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  const lines = value.replace(/\r\n?/g, '\n').split('\n');
  return ['', `${indent}${fence}text`, ...lines.map((line) => `${indent}${line}`), `${indent}${fence}`].join('\n');
}
