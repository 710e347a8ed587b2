/**
 * `package`: install or remove packages with whatever package manager the
 * host has (apt-get, dnf or yum, detected in the decision's first round
 * trip), with the backend's own check-mode planning.
 */
import { managerProbe, managersFound, packageProps, pickManager, type PackageArgs } from './lib/pkg-common.js';
import { decideApt } from './lib/pkg-apt.js';
import { decideRpm } from './lib/pkg-rpm.js';
import { deciding, failed } from './lib/result.js';
import { defineModule } from './types.js';
import aptModule from './apt.js';
import dnfModule from './dnf.js';
import yumModule from './yum.js';

const BACKENDS = { apt: aptModule, dnf: dnfModule, yum: yumModule } as const;
const propsOf = (m: { schema: Record<string, unknown> }): Record<string, unknown> =>
  (m.schema['properties'] ?? {}) as Record<string, unknown>;
/** Every argument of a backend: package passes them on, as Ansible's package action does. */
const BACKEND_PROPS: Record<string, unknown> = Object.assign(
  {},
  propsOf(yumModule),
  propsOf(dnfModule),
  propsOf(aptModule),
);

/** Arguments of `package`. */
export interface PackageModuleArgs extends PackageArgs {
  use?: 'auto' | 'apt' | 'dnf' | 'yum';
}

/** The `package` module. */
export default defineModule<PackageModuleArgs>({
  name: 'package',
  docs: {
    short: 'Install or remove packages with the host package manager (apt, dnf or yum)',
    description:
      "Detects apt-get, dnf or yum on the target and behaves as that module; the backend's own arguments (apt's update_cache, dnf's enablerepo, ...) are passed on to it, and one the backend does not take fails as Ansible's does.",
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      ...BACKEND_PROPS,
      name: packageProps.name,
      state: packageProps.state,
      use: {
        type: 'string',
        enum: ['auto', 'apt', 'dnf', 'yum'],
        default: 'auto',
        description: 'The package manager (auto: detect)',
      },
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      let use = args.use ?? 'auto';
      // As Ansible's package action: the gathered pkg_mgr fact first, else a probe of the host.
      const facts = ctx.vars['ansible_facts'] as Record<string, unknown> | undefined;
      const fact = facts?.['pkg_mgr'] ?? ctx.vars['ansible_pkg_mgr'];
      if (use === 'auto' && typeof fact === 'string' && fact in BACKENDS) use = fact as keyof typeof BACKENDS;
      if (use === 'auto') {
        const res = await ctx.conn.exec(managerProbe);
        const found = pickManager(managersFound(res.stdout));
        if (!found)
          return failed('package: no supported package manager on the host (looked for apt-get, dnf and yum)');
        use = found;
      }
      const { use: _use, ...rest } = args;
      const known = propsOf(BACKENDS[use]);
      const unsupported = Object.keys(rest).filter((k) => !(k in known));
      if (unsupported.length)
        return failed(`Unsupported parameters for (ansible.legacy.${use}) module: ${unsupported.sort().join(', ')}`);
      return use === 'apt' ? decideApt(ctx, rest) : decideRpm(ctx, rest, use);
    }),
});
