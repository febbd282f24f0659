/**
 * One word for a POSIX shell, whatever it holds: a fix built from inventory values must run as the
 * command it says, even when a value holds a quote, a space or `;`. Plain words stay as they are,
 * so the usual fix reads like the tutorial.
 */
export function shellWord(value: string): string {
  if (/^[\w@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A command line from words, each quoted as needed. */
export function shellCommand(...words: string[]): string {
  return words.map(shellWord).join(' ');
}

/** `echo LINE >> FILE`, each quoted as needed: the fix that adds one line to a file. */
export function appendLine(line: string, file: string): string {
  return `${shellCommand('echo', line)} >> ${shellWord(file)}`;
}
