/**
 * Host output may hold anything; XML 1.0 may not. Characters it forbids are shown as visible
 * escapes (`\x1b`) instead of vanishing, so a report reader sees what the host printed.
 */
export function xmlSafe(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) =>
      c.length === 1 && c.charCodeAt(0) < 0x20 ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : '\ufffd',
  );
}
