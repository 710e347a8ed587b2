/**
 * `setup`: gather facts on demand, in one round trip (the same script as
 * "Gathering Facts"), limited by `gather_subset` and `filter`. Returns
 * `ansible_facts` with Ansible's prefixed names; the executor puts them into
 * the host's facts. Never changes the target.
 */
import picomatch from 'picomatch';
import { DEFAULT_FACT_PATH, factVars, factsScript, parseFactOutput, resolveSubsets } from './lib/facts.js';
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
      "Subsets (Ansible's names): all; min (apparmor, cmdline, date_time, distribution, dns, env, fips, local, lsb, pkg_mgr, platform, python, selinux, service_mgr, ssh_pub_keys, user); hardware, network, virtual; `!name` excludes. One sh script per gathering; a python on the target is described when there is one, never needed.",
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
      fact_path: {
        type: 'string',
        default: DEFAULT_FACT_PATH,
        description:
          'Folder of local facts (ansible_local): each *.fact file is JSON or INI, or an executable printing JSON or INI',
      },
    },
  },
  async decide(ctx, args) {
    const spec = asList(args.gather_subset) ?? ['all'];
    const subsets = resolveSubsets(spec);
    const interpreter = ctx.vars['ansible_python_interpreter'];
    const python =
      typeof interpreter === 'string' && interpreter.startsWith('/') && !/\s/.test(interpreter)
        ? interpreter
        : undefined;
    const script = factsScript(subsets, { factPath: args.fact_path ?? DEFAULT_FACT_PATH, python });
    const res = await ctx.conn.exec(script, { timeoutMs: (args.gather_timeout ?? 10) * 1000 });
    if (res.rc !== 0 && res.stdout === '') {
      return { kind: 'fail', msg: `fact gathering failed (rc ${res.rc}): ${res.stderr.trim()}` };
    }
    const { facts, warnings } = parseFactOutput(res.stdout, subsets);
    const vars: Record<string, unknown> = { ...factVars(facts), gather_subset: spec, module_setup: true };
    delete vars['ansible_facts'];
    // As Ansible's filter: fnmatch over the names as returned (gather_subset and module_setup included).
    const matchers = (asList(args.filter) ?? []).map((f) => picomatch(f, { dot: true }));
    const selected = Object.fromEntries(
      Object.entries(vars).filter(([name]) => matchers.length === 0 || matchers.some((m) => m(name))),
    );
    return {
      kind: 'ok',
      facts: selected,
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  },
});
