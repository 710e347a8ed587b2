/**
 * `command`: run a program on the target without a shell. The command line is
 * split into words (quotes group) and each word is quoted, so `*`, `|` and
 * `>` reach the program literally; `$NAME`, `${NAME}` of the environment and
 * a leading `~` are expanded in each word, as Ansible's run_command does
 * (os.path.expandvars, then expanduser); the program is exec'd, never a
 * shell builtin.
 */
import { shlexQuote } from '../util/python-text.js';
import { shq, splitWords } from '../util/shell.js';
import { notBoth } from './lib/schema.js';
import { defineModule } from './types.js';
import { failed } from './lib/result.js';
import { decideCommand, runCommandProps, type RunCommandArgs } from './lib/run-command.js';

/** Arguments of `command`. */
export interface CommandArgs extends RunCommandArgs {
  cmd?: string;
  argv?: string[];
}

/** The `command` module. */
export default defineModule<CommandArgs>({
  name: 'command',
  docs: {
    short: 'Run a command on the target without a shell',
    description:
      'The line is split into words like a shell would, but no expansion, redirection or pipe happens. Use `shell` for those.',
  },
  freeForm: 'cmd',
  checkMode: 'partial',
  background: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      cmd: { type: 'string', description: 'The command line (the free-form value)' },
      argv: {
        type: 'array',
        items: { type: 'string' },
        minItems: 1,
        description: 'The command as a list of words (no splitting)',
      },
      ...runCommandProps,
    },
    ...notBoth('cmd', 'argv'),
  },
  async decide(ctx, args) {
    const words = args.argv ?? splitWords(args.cmd ?? '');
    if (words.length === 0) return failed('no command given');
    const { prelude, quoted } = expandedWords(words);
    return decideCommand(ctx, args, {
      script: `${prelude.map((l) => `${l}\n`).join('')}exec ${quoted.join(' ')}`,
      cmd: args.argv ?? words,
      program: quoted[0]!,
      cleanCmd: cleanArgs(words),
    });
  },
});

/** A name Python's expandvars looks up (`$NAME`, `${ANYTHING}`), re.ASCII `\w`. */
const VAR_REF = /\$(\w+|\{[^}]*\})/g;

/**
 * The words as sh words expanded on the target as Python's expandvars + expanduser would: a variable of the
 * environment (exported) by its value, any other (or a name sh cannot hold) left as written; `~` or `~user` at the start.
 * `prelude` sets one shell variable per reference, so a value is never parsed again.
 */
export function expandedWords(words: string[]): { prelude: string[]; quoted: string[] } {
  const prelude: string[] = [];
  const quoted = words.map((word) => {
    const tilde = /^~[A-Za-z0-9._-]*(?=\/|$)/.exec(word)?.[0] ?? '';
    let out = tilde;
    let last = tilde.length;
    for (const m of word.slice(tilde.length).matchAll(VAR_REF)) {
      const at = tilde.length + m.index;
      const name = m[1]!.startsWith('{') ? m[1]!.slice(1, -1) : m[1]!;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
      if (at > last) out += shq(word.slice(last, at));
      const v = `bosun_v${prelude.length}`;
      // Python reads os.environ: only an exported variable counts (IFS, PS1... are set in sh but not in it).
      prelude.push(`if printenv ${name} >/dev/null 2>&1; then ${v}=$${name}; else ${v}=${shq(m[0])}; fi`);
      out += `"$${v}"`;
      last = at + m[0].length;
    }
    if (last < word.length || out === '') out += shq(word.slice(last));
    return out;
  });
  return { prelude, quoted };
}

/** Ansible's printable command line (`_clean_args`): shlex-quoted words, a password argument masked. */
function cleanArgs(words: string[]): string {
  const out: string[] = [];
  let maskNext = false;
  for (const w of words) {
    if (maskNext) {
      out.push('********');
      maskNext = false;
    } else if (/^-{0,2}pass-?(word|wd)?/.test(w)) {
      const eq = w.indexOf('=');
      if (eq > -1) out.push(`${w.slice(0, eq)}=********`);
      else {
        maskNext = true;
        out.push(w);
      }
    } else out.push(w);
  }
  return out.map(shlexQuote).join(' ');
}
