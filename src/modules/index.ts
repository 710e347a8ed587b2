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
import getUrl from './get_url.js';
import fetchModule from './fetch.js';
import script from './script.js';
import slurp from './slurp.js';
import waitFor from './wait_for.js';
import unarchive from './unarchive.js';
import uri from './uri.js';

// System modules (issue 5).
import apt from './apt.js';
import blockinfile from './blockinfile.js';
import dnf from './dnf.js';
import fail from './fail.js';
import group from './group.js';
import modprobe from './modprobe.js';
import packageModule from './package.js';
import pause from './pause.js';
import replace from './replace.js';
import service from './service.js';
import sysctl from './sysctl.js';
import systemd from './systemd.js';
import user from './user.js';
import yum from './yum.js';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const all: Array<ModuleDef<any>> = [
  assertModule,
  command,
  copy,
  debug,
  file,
  lineinfile,
  setFact,
  shell,
  stat,
  template,
  meta,
  validateArgumentSpec,
  getUrl,
  fetchModule,
  script,
  slurp,
  waitFor,
  unarchive,
  uri,
  setup,
];
all.push(
  apt,
  blockinfile,
  dnf,
  fail,
  group,
  modprobe,
  packageModule,
  pause,
  replace,
  service,
  sysctl,
  systemd,
  user,
  yum,
);

/** Every module by its short name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const moduleRegistry: ReadonlyMap<string, ModuleDef<any>> = new Map(all.map((m) => [m.name, m]));

/** Find a module by name; `ansible.builtin.<name>` and `ansible.legacy.<name>` are accepted too. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function getModule(name: string): ModuleDef<any> | undefined {
  const short = name.replace(/^ansible\.(builtin|legacy)\./, '');
  return moduleRegistry.get(short);
}
