/**
 * `apt`: install, upgrade or remove Debian packages with apt-get. Check mode
 * asks apt-get (`apt-get -s`) what it would do.
 */
import { boolSchema } from './lib/bool.js';
import { decideApt, type AptArgs } from './lib/pkg-apt.js';
import { packageProps } from './lib/pkg-common.js';
import { deciding, failed } from './lib/result.js';
import { defineModule } from './types.js';

/** The `apt` module. */
export default defineModule<AptArgs>({
  name: 'apt',
  docs: {
    short: 'Install, upgrade or remove Debian/Ubuntu packages with apt-get',
    description:
      'Decides with dpkg-query and apt-get -s (a simulation), so check mode reports the packages apt-get would really change. Runs with DEBIAN_FRONTEND=noninteractive, -y and a 60 s dpkg lock wait.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...packageProps,
      pkg: { type: ['string', 'array'], items: { type: 'string', minLength: 1 }, description: 'Alias of name' },
      package: { type: ['string', 'array'], items: { type: 'string', minLength: 1 }, description: 'Alias of name' },
      cache_valid_time: {
        type: ['integer', 'string'],
        pattern: '^\\d+$',
        description: 'Refresh the lists only when older than this many seconds (implies update_cache)',
      },
      purge: boolSchema('With state=absent, also remove configuration files', false),
      install_recommends: boolSchema('Install recommended packages too (default: apt configuration)'),
      default_release: { type: 'string', description: 'Install from this release (apt-get -t)' },
      allow_downgrade: boolSchema(
        'Allow installing an older version than the installed one (--allow-downgrades)',
        false,
      ),
      allow_downgrades: boolSchema('Alias of allow_downgrade'),
      allow_unauthenticated: boolSchema('Allow packages that cannot be authenticated (--allow-unauthenticated)', false),
      allow_change_held_packages: boolSchema('Allow changing held packages (--allow-change-held-packages)', false),
      force: boolSchema('Force the change (--force-yes; dangerous, as in Ansible)', false),
      lock_timeout: {
        type: ['integer', 'string'],
        pattern: '^\\d+$',
        description: 'Seconds to wait for the dpkg lock (default 60)',
      },
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      if ([args.name, args.pkg, args.package].filter((v) => v !== undefined).length > 1)
        return failed('parameters are mutually exclusive: name|pkg|package');
      if (
        args.name === undefined &&
        args.pkg === undefined &&
        args.package === undefined &&
        args.update_cache === undefined &&
        args.cache_valid_time === undefined &&
        args.autoremove === undefined
      ) {
        return failed('one of the following is required: name, update_cache, autoremove');
      }
      return decideApt(ctx, args);
    }),
});
