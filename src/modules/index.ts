/**
 * The explicit registry of modules: one import per file, registered under its
 * file name (Ansible's module name). `ansible.builtin.X` and `ansible.legacy.X`
 * resolve to X.
 */
import type { ModuleDef } from './types.js';
import assertModule from './assert.js';
import command from './command.js';
import copy from './copy.js';
import debug from './debug.js';
import file from './file.js';
import lineinfile from './lineinfile.js';
import meta from './meta.js';
import setFact from './set_fact.js';
import setup from './setup.js';
import shell from './shell.js';
import stat from './stat.js';
import template from './template.js';
import validateArgumentSpec from './validate_argument_spec.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const all: Array<ModuleDef<any>> = [assertModule, command, copy, debug, file, lineinfile, setFact, shell, stat, template, setup, meta, validateArgumentSpec];

/** Every module by its short name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const moduleRegistry: ReadonlyMap<string, ModuleDef<any>> = new Map(all.map((m) => [m.name, m]));

/** Find a module by name; `ansible.builtin.<name>` and `ansible.legacy.<name>` are accepted too. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function getModule(name: string): ModuleDef<any> | undefined {
  const short = name.replace(/^ansible\.(builtin|legacy)\./, '');
  return moduleRegistry.get(short);
}
