/**
 * `dnf`: install, upgrade or remove RPM packages with dnf. Check mode asks
 * dnf itself (`--assumeno` resolves the transaction and aborts).
 */
import { decideRpm, rpmProps, type RpmArgs } from './lib/pkg-rpm.js';
import { deciding } from './lib/result.js';
import { defineModule } from './types.js';

/** The `dnf` module. */
export default defineModule<RpmArgs>({
  name: 'dnf',
  docs: {
    short: 'Install, upgrade or remove RPM packages with dnf',
    description: 'Decides with rpm -q and dnf --assumeno, so check mode reports the transaction dnf would really run.',
  },
  checkMode: 'full',
  schema: { type: 'object', additionalProperties: false, properties: rpmProps },
  decide: (ctx, args) => deciding(() => decideRpm(ctx, args, 'dnf')),
});
