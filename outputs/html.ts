import { createHash } from 'node:crypto';

/**
 * Text as HTML, for element content and quoted attribute values alike. Student names, ids and every verdict value
 * come from inventories and hosts: none of it may become markup.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON to embed in `<script type="application/json">`: no `<` (so no `</script>` or `<!--` can end or bend the
 * element), and no U+2028/U+2029; JSON.parse reads the escapes back as the same text.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export interface Page {
  lang: string;
  title: string;
  css: string;
  body: string;
  /** Inline script; none when the page needs none. */
  script?: string;
  /** Embedded as `<script type="application/json" id="…">`, read by the script. */
  data?: { id: string; value: unknown };
}

/**
 * A self-contained HTML page that works from file:// with no network: its one style and one script inline, and a
 * Content-Security-Policy that allows exactly those two (by hash) and nothing else to load, so even a value that
 * escaped escaping could neither run nor fetch anything.
 */
export function htmlPage({ lang, title, css, body, script, data }: Page): string {
  const policy = [
    "default-src 'none'",
    `style-src '${sha256(css)}'`,
    script === undefined ? "script-src 'none'" : `script-src '${sha256(script)}'`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return [
    '<!doctype html>',
    `<html lang="${escapeHtml(lang)}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${policy}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${css}</style>`,
    '</head>',
    '<body>',
    body,
    data === undefined
      ? ''
      : `<script type="application/json" id="${escapeHtml(data.id)}">${jsonForScript(data.value)}</script>`,
    script === undefined ? '' : `<script>${script}</script>`,
    '</body>',
    '</html>',
  ]
    .filter((line) => line !== '')
    .join('\n')
    .concat('\n');
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}
