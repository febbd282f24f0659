import { isIP } from 'node:net';
import { type CommandOutput, UnparsableOutput } from './probe.ts';

/** Lines of a command's output: LF or CRLF, the empty string after a final newline dropped. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The raw text an UnparsableOutput carries: stdout, and stderr when there is any. */
export function rawOf(output: CommandOutput): string {
  return output.stderr === '' ? output.stdout : `${output.stdout}\n--- stderr ---\n${output.stderr}`;
}

/** The named part, or Unparsable when the gather layer did not deliver it finished. */
export function partOf(outputs: Record<string, CommandOutput>, name: string): CommandOutput & { exitCode: number } {
  const output = outputs[name];
  if (output === undefined) throw new UnparsableOutput(`part '${name}' is missing`, '');
  if (output.exitCode === null) throw new UnparsableOutput(`part '${name}' did not finish`, rawOf(output));
  return { ...output, exitCode: output.exitCode };
}

/** Unparsable carrying one part's raw output; the reason is kept on one line. */
export function unparsable(reason: string, output: CommandOutput): UnparsableOutput {
  return new UnparsableOutput(oneLine(reason), rawOf(output));
}

/** A reason safe to show on one line: control characters escaped, length capped. */
export function oneLine(text: string): string {
  const escaped = text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return escaped.length > 200 ? `${escaped.slice(0, 200)}…` : escaped;
}

/** `cat FILE` failed only because FILE does not exist (exit 1, every stderr line says so). */
export function isMissingFile(output: CommandOutput): boolean {
  const lines = splitLines(output.stderr);
  return (
    output.exitCode === 1 &&
    output.stdout === '' &&
    lines.length > 0 &&
    lines.every((l) => /: No such file or directory$/.test(l))
  );
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

export function isIPv4(text: string): boolean {
  return isIP(text) === 4;
}

export function isIPv6(text: string): boolean {
  return isIP(text) === 6;
}

export function isIPAddress(text: string): boolean {
  return isIP(text) !== 0;
}
