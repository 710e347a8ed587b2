/** `package-latest`: `state: latest` upgrades whenever the repository moves, so runs are not repeatable. */
import { argPath, argsOf, taskSites } from '../tasks.js';
import { defineRule } from '../types.js';

const PACKAGE_MODULES = new Set(['apt', 'dnf', 'yum', 'package']);

/** The `package-latest` rule. */
export default defineRule({
  id: 'package-latest',
  docs: {
    short: 'A package task uses `state: latest`: what it installs depends on the day it runs',
    fix: 'use `state: present` and pin the version in the name (`containerd=1.7.13*`, `containerd-1.7.13`)',
  },
  check(ctx) {
    for (const file of ctx.project.files) {
      if (file.external) continue;
      for (const site of taskSites(file)) {
        if (!site.known || !PACKAGE_MODULES.has(site.known)) continue;
        const state =
          typeof site.args === 'string'
            ? /(^|\s)state=latest(\s|$)/.test(site.args)
            : argsOf(site)['state'] === 'latest';
        if (state)
          ctx.report(
            site.file.yaml!.posOf(argPath(site, 'state')),
            `${site.known} with state: latest is not repeatable`,
          );
      }
    }
  },
});
