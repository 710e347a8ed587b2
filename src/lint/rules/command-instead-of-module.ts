/**
 * `command-instead-of-module`: `command`/`shell` running a program a module does better (idempotent, with check mode
 * and diffs).
 */
import { argsOf, taskSites, type TaskSite } from '../tasks.js';
import { defineRule } from '../types.js';

/** Program -> the module to use instead. */
export const MODULE_FOR: Readonly<Record<string, string>> = {
  apt: 'apt',
  'apt-get': 'apt',
  yum: 'yum',
  dnf: 'dnf',
  systemctl: 'systemd',
  service: 'service',
  curl: 'get_url (or uri)',
  wget: 'get_url',
  mkdir: 'file (state: directory)',
  touch: 'file (state: touch)',
  rm: 'file (state: absent)',
  chmod: 'file (mode)',
  chown: 'file (owner, group)',
  ln: 'file (state: link)',
  cp: 'copy',
  sed: 'lineinfile or replace',
  tar: 'unarchive',
  unzip: 'unarchive',
  useradd: 'user',
  usermod: 'user',
  userdel: 'user',
  groupadd: 'group',
  groupdel: 'group',
  sysctl: 'sysctl',
  modprobe: 'modprobe',
};

/** The program a command line runs (first word, without a path or `sudo`). */
function program(site: TaskSite): string | undefined {
  const args = argsOf(site);
  let line: unknown = typeof site.args === 'string' ? site.args : (args['cmd'] ?? args['_raw_params']);
  if (line === undefined && Array.isArray(args['argv'])) line = args['argv'].join(' ');
  if (typeof line !== 'string') return undefined;
  const words = line
    .trim()
    .split(/\s+/)
    .filter((w) => !/^\w+=/.test(w));
  const first = words[0] === 'sudo' ? words[1] : words[0];
  return first?.split('/').pop();
}

/** The `command-instead-of-module` rule. */
export default defineRule({
  id: 'command-instead-of-module',
  docs: {
    short: '`command`/`shell` runs a program that a module handles (apt, systemctl, curl, mkdir, sed, ...)',
    fix: 'use the module the message names; it is idempotent and supports check mode and --diff',
  },
  check(ctx) {
    for (const file of ctx.project.files) {
      if (file.external) continue;
      for (const site of taskSites(file)) {
        if (site.known !== 'command' && site.known !== 'shell') continue;
        const prog = program(site);
        const module = prog ? MODULE_FOR[prog] : undefined;
        if (!prog || !module) continue;
        ctx.report(
          site.file.yaml!.posOf(site.argsPath),
          `${site.known} runs '${prog}': use the ${module} module`,
          `replace the ${site.known} task with the ${module} module`,
        );
      }
    }
  },
});
