/**
 * `setup`: gather facts on demand, in one round trip (the same script as
 * "Gathering Facts"), limited by `gather_subset` and `filter`. Returns
 * `ansible_facts` with Ansible's prefixed names; the executor puts them into
 * the host's facts. Never changes the target.
 */
import picomatch from 'picomatch';
import { factVars, factsScript, parseFacts, resolveSubsets } from './lib/facts.js';
import { defineModule } from './types.js';

/** Arguments of `setup`. */
export interface SetupArgs {
  gather_subset?: string | string[];
  filter?: string | string[];
  gather_timeout?: number;
  fact_path?: string;
}

const stringOrList = (description: string) => ({
  anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
  description,
});

/** A comma-separated string or a list, as a list. */
function asList(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

/** The `setup` module. */
export default defineModule<SetupArgs>({
  name: 'setup',
  docs: {
    short: 'Gather facts about the host (distribution, architecture, memory, network, environment)',
    description:
      'Subsets: all, min (platform, distribution, user, env, date_time, pkg_mgr, service_mgr), hardware, network, virtual; `!name` excludes.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      gather_subset: stringOrList(
        "Subsets to gather: all (default), min, hardware, network, virtual, or a min part; '!x' excludes x",
      ),
      filter: stringOrList('Only return facts whose ansible_ name matches one of these globs (ansible_distribution*)'),
      gather_timeout: { type: 'integer', minimum: 1, default: 10, description: 'Seconds the gathering may take' },
      fact_path: { type: 'string', description: 'Accepted and ignored (bosun reads no local facts.d)' },
    },
  },
  async decide(ctx, args) {
    const spec = asList(args.gather_subset) ?? ['all'];
    const subsets = resolveSubsets(spec);
    const res = await ctx.conn.exec(factsScript(subsets), { timeoutMs: (args.gather_timeout ?? 10) * 1000 });
    if (res.rc !== 0 && res.stdout === '') {
      return { kind: 'fail', msg: `fact gathering failed (rc ${res.rc}): ${res.stderr.trim()}` };
    }
    const facts = parseFacts(res.stdout, subsets);
    const vars = factVars(facts);
    delete vars['ansible_facts'];
    const filters = asList(args.filter) ?? [];
    const matchers = filters.map((f) => picomatch(f));
    const selected = Object.fromEntries(
      Object.entries(vars).filter(([name]) => matchers.length === 0 || matchers.some((m) => m(name))),
    );
    return {
      kind: 'ok',
      facts: { ...selected, gather_subset: spec, module_setup: true },
    };
  },
});
