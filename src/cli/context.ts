/**
 * What every command of the CLI shares: where output goes, how a command
 * sets the exit code, and the small option parsers.
 */
import { InvalidArgumentError } from '@commander-js/extra-typings';

/** Where the CLI writes. */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
  /** The environment ansible.cfg and `ANSIBLE_*` are read from (default: process.env; tests give their own). */
  env?: NodeJS.ProcessEnv;
}

/** Given to each command's register function. */
export interface CliContext {
  io: CliIO;
  /** The exit code the command ends with. */
  setExit: (code: number) => void;
}

/** commander parser: a whole number of at least 1. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

/** commander parser for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** commander parser for -v, -vv, -vvv. */
export function increase(_value: string, previous: number): number {
  return previous + 1;
}
