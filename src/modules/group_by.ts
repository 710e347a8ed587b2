/**
 * `group_by`: put the task's host into a group named by `key` (made when
 * missing), a child of `parents`, in the run's in-memory inventory, so later
 * plays can name it. Runs for every host, on the controller, in check mode
 * too, as Ansible's action plugin; `changed` says whether the inventory changed.
 */
import { defineModule } from './types.js';

/** Arguments of `group_by`. */
export interface GroupByArgs {
  key: string;
  parents?: string | string[];
}

/** The `group_by` module. */
export default defineModule<GroupByArgs>({
  name: 'group_by',
  docs: {
    short: 'Put each host into a group named from its variables (for the later plays)',
    description: 'Spaces in the names become `-`, as in Ansible.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['key'],
    properties: {
      key: {
        type: 'string',
        description: 'The group to put the host in (usually a template such as `os_{{ ansible_distribution }}`)',
      },
      parents: {
        type: ['string', 'array'],
        items: { type: 'string' },
        default: ['all'],
        description: 'The groups the new group is a child of',
      },
    },
  },
  async decide(ctx, args) {
    const group = args.key.replace(/ /g, '-');
    const given = args.parents ?? ['all'];
    const parents = (typeof given === 'string' ? [given] : given).map((p) => p.replace(/ /g, '-'));
    const data = { add_group: group, parent_groups: parents };
    if (!ctx.inventory) return { kind: 'fail', msg: 'group_by needs the run inventory (only the executor has it)' };
    const changed = await ctx.inventory.addToGroup(group, parents);
    // Ansible's default (TRANSFORM_INVALID_GROUP_CHARS=never): such names are kept, with a warning.
    const invalid = [group, ...parents].filter((n) => !/^[A-Za-z_]\w*$/.test(n));
    const warnings = invalid.length
      ? [`Invalid characters were found in group names but not replaced: ${invalid.join(', ')}`]
      : undefined;
    const common = { data, ...(warnings ? { warnings } : {}) };
    return changed
      ? { kind: 'change', ...common, apply: () => Promise.resolve({ kind: 'applied' }) }
      : { kind: 'ok', ...common };
  },
});
