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

/** Arguments of `package`. */
export interface PackageModuleArgs extends PackageArgs {
  use?: 'auto' | 'apt' | 'dnf' | 'yum';
}

/** The `package` module. */
export default defineModule<PackageModuleArgs>({
  name: 'package',
  docs: {
    short: 'Install or remove packages with the host package manager (apt, dnf or yum)',
    description: 'Detects apt-get, dnf or yum on the target and behaves as that module.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
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
      if (use === 'auto') {
        const res = await ctx.conn.exec(managerProbe);
        const found = pickManager(managersFound(res.stdout));
        if (!found)
          return failed('package: no supported package manager on the host (looked for apt-get, dnf and yum)');
        use = found;
      }
      const { use: _use, ...rest } = args;
      return use === 'apt' ? decideApt(ctx, rest) : decideRpm(ctx, rest, use);
    }),
});
