/**
 * Ansible's `get_bin_path` on the target: a command is looked for in PATH and then in /sbin, /usr/sbin and
 * /usr/local/sbin (those that exist and are not in PATH already), and a missing required one fails with
 * Ansible's message naming every folder searched.
 */

/**
 * sh that sets `$<variable>` to the first executable `name` on Ansible's search path, or, when there is none,
 * prints `NOBIN <name> <paths>` on a line of its own (and leaves the variable empty).
 */
export function findBinScript(name: string, variable: string): string {
  if (!/^[a-z][a-z0-9_-]*$/.test(name) || !/^[a-z_][a-z0-9_]*$/.test(variable))
    throw new Error(`findBinScript: bad name ${name}`);
  return [
    'bosun_paths=$PATH',
    'for bosun_d in /sbin /usr/sbin /usr/local/sbin; do case ":$PATH:" in *":$bosun_d:"*) ;; *) [ -e "$bosun_d" ] && bosun_paths="$bosun_paths:$bosun_d" ;; esac; done',
    `${variable}=`,
    `bosun_ifs=$IFS; IFS=:; for bosun_d in $bosun_paths; do if [ -f "$bosun_d/${name}" ] && [ -x "$bosun_d/${name}" ]; then ${variable}="$bosun_d/${name}"; break; fi; done; IFS=$bosun_ifs`,
    `[ -n "$${variable}" ] || printf 'NOBIN ${name} %s\\n' "$bosun_paths"`,
  ].join('\n');
}

/** Ansible's failure for the first missing command reported by findBinScript's output, or undefined. */
export function missingBin(stdout: string): string | undefined {
  const m = /^NOBIN (\S+) (.*)$/m.exec(stdout);
  return m ? `Failed to find required executable "${m[1]!}" in paths: ${m[2]!}` : undefined;
}
