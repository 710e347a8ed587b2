/**
 * `yum`: install, upgrade or remove RPM packages with yum. Check mode asks
 * yum itself (`--assumeno` resolves the transaction and aborts).
 */
import { decideRpm, rpmProps, type RpmArgs } from './lib/pkg-rpm.js';
import { deciding } from './lib/result.js';
import { defineModule } from './types.js';

/** The `yum` module. */
export default defineModule<RpmArgs>({
  name: 'yum',
  docs: {
    short: 'Install, upgrade or remove RPM packages with yum',
    description:
      'Decides with rpm -q and yum --assumeno, so check mode reports the transaction yum would really run. Uses dnf when the host has no yum.',
  },
  checkMode: 'full',
  schema: { type: 'object', additionalProperties: false, properties: rpmProps },
  decide: (ctx, args) => deciding(() => decideRpm(ctx, args, 'yum')),
});
