/** The lookups over the task's variables and the inventory: `vars`, `varnames`, `inventory_hostnames`. */
import { BosunError } from '../../errors.js';
import { checkOptions } from './options.js';
import { LookupError, type LookupFn } from './types.js';

/** `vars`: each named variable's value (rendered), or `default=` when it is undefined. */
export const vars: LookupFn = (terms, options, host) => {
  checkOptions('vars', options, ['default']);
  const fallback = options['default'];
  return terms.map((term) => {
    if (typeof term !== 'string')
      throw new LookupError(`Invalid setting identifier, "${JSON.stringify(term)}" is not a string`);
    const found = host.variable(term);
    if (found) return found.value;
    if (fallback !== undefined && fallback !== null) return fallback;
    throw new BosunError('UNDEFINED_VAR', `No variable found with this name: ${term}`, {
      hint: "give the lookup a default: lookup('vars', name, default='')",
    });
  });
};

/** `varnames`: the names of the variables that each Python regular expression finds (re.search). */
export const varnames: LookupFn = (terms, options, host) => {
  checkOptions('varnames', options, []);
  const names = Object.keys(host.vars);
  return terms.flatMap((term) => {
    if (typeof term !== 'string')
      throw new LookupError(`Invalid setting identifier, "${JSON.stringify(term)}" is not a string`);
    let re: RegExp;
    try {
      re = new RegExp(term.replace(/\(\?P</g, '(?<'));
    } catch (err) {
      throw new LookupError(`Unable to use "${term}" as a search parameter: ${(err as Error).message}`);
    }
    return names.filter((n) => re.test(n));
  });
};

/** `inventory_hostnames`: the inventory hosts the terms select as one host pattern ([] for a bad pattern). */
export const inventoryHostnames: LookupFn = (terms, options, host) => {
  checkOptions('inventory_hostnames', options, []);
  if (!host.hostPattern) throw new LookupError('inventory_hostnames needs an inventory (it works in a run)');
  try {
    return host.hostPattern(terms.map(String).join(','));
  } catch (err) {
    // A pattern Ansible cannot read selects nothing (its plugin returns [] on AnsibleError).
    if (err instanceof BosunError && err.code === 'HOST_PATTERN') return [];
    throw err;
  }
};
