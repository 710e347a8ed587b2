/**
 * The explicit registry of modules: one import per file, registered under its
 * file name (Ansible's module name). `ansible.builtin.X` and `ansible.legacy.X`
 * resolve to X.
 */
import type { ModuleDef } from './types.js';
import assertModule from './assert.js';
import asyncStatus from './async_status.js';
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

// Modules real roles use (issue 17).
import ping from './ping.js';
import raw from './raw.js';
import tempfile from './tempfile.js';
import find from './find.js';
import getent from './getent.js';
import iniFile from './ini_file.js';
import authorizedKey from './authorized_key.js';
import cron from './cron.js';
import hostname from './hostname.js';

// Package, repository and system modules (issue 17, part d).
import aptRepository from './apt_repository.js';
import deb822Repository from './deb822_repository.js';
import aptKey from './apt_key.js';
import debconf from './debconf.js';
import dpkgSelections from './dpkg_selections.js';
import packageFacts from './package_facts.js';
// Engine-level and connection modules (issue 17).
import includeVars from './include_vars.js';
import addHost from './add_host.js';
import groupBy from './group_by.js';
import knownHosts from './known_hosts.js';
import waitForConnection from './wait_for_connection.js';
import reboot from './reboot.js';
// System modules (issue 17, part e).
import serviceFacts from './service_facts.js';
import timezone from './timezone.js';
import localeGen from './locale_gen.js';
import mount from './mount.js';
// Repository, firewall, SELinux and source modules (issue 17, part f).
import yumRepository from './yum_repository.js';
import rpmKey from './rpm_key.js';
import seboolean from './seboolean.js';
import selinux from './selinux.js';
import git from './git.js';
import pip from './pip.js';
import iptables from './iptables.js';
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
all.push(ping, raw, tempfile, find, getent, iniFile, authorizedKey, cron, hostname);
all.push(aptRepository, deb822Repository, aptKey, debconf, dpkgSelections, packageFacts);
all.push(includeVars, addHost, groupBy, knownHosts, waitForConnection, reboot);
all.push(serviceFacts, timezone, localeGen, mount);
all.push(yumRepository, rpmKey, seboolean, selinux, git, iptables);
all.push(asyncStatus);
all.push(pip);

/** Every module by its short name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const moduleRegistry: ReadonlyMap<string, ModuleDef<any>> = new Map(all.map((m) => [m.name, m]));

/**
 * Modules of other collections that bosun has, by their full names (published roles write them so):
 * the ones in the `ansible.posix` and `community.general` collections, and ansible-core's other names.
 */
const COLLECTION_NAMES: Readonly<Record<string, string>> = {
  'ansible.posix.sysctl': 'sysctl',
  'ansible.posix.authorized_key': 'authorized_key',
  'ansible.posix.seboolean': 'seboolean',
  'ansible.posix.selinux': 'selinux',
  'community.general.modprobe': 'modprobe',
  'community.general.ini_file': 'ini_file',
  systemd_service: 'systemd',
  'community.general.timezone': 'timezone',
  'community.general.locale_gen': 'locale_gen',
  'ansible.posix.mount': 'mount',
};

/** The other names a module is written with: `ansible.builtin.X`, `ansible.legacy.X`, and its collection names. */
export function longNames(name: string): string[] {
  const others = Object.keys(COLLECTION_NAMES).filter((k) => COLLECTION_NAMES[k] === name);
  const builtin = (n: string): string[] => (n.includes('.') ? [n] : [`ansible.builtin.${n}`, `ansible.legacy.${n}`]);
  return [...builtin(name), ...others.flatMap((n) => (n.includes('.') ? [n] : [n, ...builtin(n)]))];
}

/**
 * Find a module by name; `ansible.builtin.<name>` and `ansible.legacy.<name>` are accepted too, and the
 * collection names of modules bosun has (`ansible.posix.sysctl`, `community.general.modprobe`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function getModule(name: string): ModuleDef<any> | undefined {
  const short = name.replace(/^ansible\.(builtin|legacy)\./, '');
  return moduleRegistry.get(Object.hasOwn(COLLECTION_NAMES, short) ? COLLECTION_NAMES[short]! : short);
}
