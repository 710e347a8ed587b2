/**
 * `include_vars`: load variables from YAML/JSON files on the controller into
 * the host's variables, at their own precedence level (above task vars, below
 * set_fact and register, as Ansible's variable manager puts them). Runs on the
 * controller like Ansible's action plugin; never touches the target. The
 * executor stores `ansible_facts` of this module as include_vars variables.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { BosunError } from '../errors.js';
import { loadYamlFile } from '../util/yaml.js';
import { boolSchema, toBool } from './lib/bool.js';
import { pyRegExp } from './lib/py-regex.js';
import { combineVars, dirRoot, findNeedle, pyJoin, walkSorted } from './lib/vars-files.js';
import { defineModule, type SearchPaths } from './types.js';

/** Arguments of `include_vars`. */
export interface IncludeVarsArgs {
  file?: string;
  dir?: string;
  name?: string;
  depth?: number | string;
  files_matching?: string;
  ignore_files?: string | string[];
  extensions?: string | string[];
  ignore_unknown_extensions?: boolean | string;
  hash_behaviour?: 'replace' | 'merge';
}

const DIR_ARGS = ['dir', 'depth', 'files_matching', 'ignore_files', 'extensions', 'ignore_unknown_extensions'];
const DEFAULT_EXTENSIONS = ['yaml', 'yml', 'json'];

/** What loading found: the variables, the files read, or the failure Ansible reports under `message`. */
interface Loaded {
  vars: Record<string, unknown>;
  files: string[];
  error?: string;
}

/** The `include_vars` module. */
export default defineModule<IncludeVarsArgs>({
  name: 'include_vars',
  docs: {
    short: 'Load variables from YAML or JSON files on the controller',
    description:
      "Written as `include_vars: file.yml` too. A relative `file` is looked up in the role's `vars/` and folder, the task file's folder (and its `vars/`), then the playbook's; a `dir` is under the role's `vars/`, else beside the task file. The variables take include_vars precedence (above task vars, below set_fact and register) for the rest of the run; `ansible_included_var_files` lists the files read. A failure is reported under `message`, as Ansible does.",
  },
  freeForm: 'file',
  freeFormOptions: ['file', 'dir', 'name', 'depth', 'files_matching', 'ignore_files', 'extensions'].concat([
    'ignore_unknown_extensions',
    'hash_behaviour',
  ]),
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      file: { type: 'string', description: 'The file to load (free form: `include_vars: file.yml`)' },
      dir: { type: 'string', description: 'A folder whose files are all loaded, sorted, the deeper ones after' },
      name: { type: 'string', description: 'Put the loaded variables under this one variable instead of at the top' },
      depth: {
        type: ['integer', 'string'],
        pattern: '^[0-9]+$',
        description: 'With dir: how many folders of the sorted walk to read (0: all)',
        default: 0,
      },
      files_matching: { type: 'string', description: 'With dir: only file names this (Python) regex searches' },
      ignore_files: {
        type: ['string', 'array'],
        items: { type: 'string' },
        description:
          'With dir: file names to skip (regexes matched at the end of the name; a string is split on spaces)',
      },
      extensions: {
        type: ['string', 'array'],
        items: { type: 'string' },
        description: 'With dir: the extensions a file must have',
        default: DEFAULT_EXTENSIONS,
      },
      ignore_unknown_extensions: boolSchema('With dir: skip files of other extensions instead of failing', false),
      hash_behaviour: {
        type: 'string',
        enum: ['replace', 'merge'],
        description: 'merge: combine each loaded dictionary with the variable of that name (both must be dictionaries)',
      },
    },
  },
  async decide(ctx, args) {
    const given = Object.keys(args);
    // Raised by Ansible's plugin (not returned): the task fails with `msg` only, as here.
    if (given.some((k) => DIR_ARGS.includes(k)) && args.file !== undefined)
      throw new BosunError('MODULE_ARGS', 'You are mixing file only and dir only arguments, these are incompatible', {
        source: ctx.source,
      });
    const paths: SearchPaths = ctx.searchPaths ?? { fileDir: process.cwd(), playbookDir: process.cwd() };
    const loaded = args.dir !== undefined ? await loadDir(args, paths) : await loadFile(args.file, paths);
    let vars = loaded.vars;
    if (loaded.error === undefined && args.hash_behaviour === 'merge') vars = mergeWithCurrent(vars, ctx.vars);
    if (args.name !== undefined) vars = { [args.name]: vars };
    const data = { ansible_included_var_files: loaded.files };
    if (loaded.error !== undefined)
      return { kind: 'fail', msg: loaded.error, data: { ...data, message: loaded.error, ansible_facts: vars } };
    return { kind: 'ok', data, facts: vars };
  },
});

async function loadFile(file: string | undefined, paths: SearchPaths): Promise<Loaded> {
  if (file === undefined || file === '')
    return { vars: {}, files: [], error: 'Invalid request to find a file that matches a "null" value' };
  const needle = file.replace(/\n+$/, '');
  const found = findNeedle(needle, 'vars', paths);
  if (!('found' in found)) {
    const searched = found.searched.join('\n\t');
    return {
      vars: {},
      files: [],
      error: `Could not find or access '${needle}'\nSearched in:\n\t${searched} on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option`,
    };
  }
  return loadOne(found.found, undefined);
}

async function loadDir(args: IncludeVarsArgs, paths: SearchPaths): Promise<Loaded> {
  const root = dirRoot(args.dir!, paths);
  if (!existsSync(root)) return { vars: {}, files: [], error: `${root} directory does not exist` };
  if (!statSync(root).isDirectory()) return { vars: {}, files: [], error: `${root} is not a directory` };
  const matcher = args.files_matching !== undefined ? pyRegExp(args.files_matching) : undefined;
  const ignore = (typeof args.ignore_files === 'string' ? args.ignore_files.split(/\s+/) : (args.ignore_files ?? []))
    .filter((p) => p !== '')
    .map((p) => pyRegExp(`(?:${p})$`));
  // Ansible's list() of a string: its characters.
  const extensions =
    typeof args.extensions === 'string' ? Array.from(args.extensions) : (args.extensions ?? DEFAULT_EXTENSIONS);
  const skipUnknown = toBool(args.ignore_unknown_extensions);
  const out: Loaded = { vars: {}, files: [] };
  for (const folder of walkSorted(root, Number(args.depth ?? 0))) {
    const inFolder: Record<string, unknown> = {};
    for (const name of folder.files) {
      if (matcher && !matcher.test(name)) continue;
      const full = pyJoin(folder.root, name);
      if (!existsSync(full) || ignore.some((r) => r.test(name))) continue;
      const valid = validExtension(name, extensions);
      if (!valid && skipUnknown) continue;
      if (!valid) return { ...out, error: `${full} does not have a valid extension: ${extensions.join(', ')}` };
      const one = await loadOne(full, out.files);
      if (one.error !== undefined) return { ...out, error: one.error };
      Object.assign(inFolder, one.vars);
    }
    Object.assign(out.vars, inFolder);
  }
  return out;
}

/** Python's os.path.splitext extension (without the dot) is one of `extensions`. */
function validExtension(name: string, extensions: readonly string[]): boolean {
  const ext = path.extname(name.replace(/^\.+/, (dots) => '_'.repeat(dots.length)));
  return ext !== '' && extensions.includes(ext.slice(1));
}

/** Load one file (a vault too): a mapping, or nothing (an empty file). */
async function loadOne(file: string, files: string[] | undefined): Promise<Loaded> {
  const y = await loadYamlFile(file);
  const value = y.value;
  const list = files ?? [];
  if (!value || (Array.isArray(value) && value.length === 0) || isEmptyDict(value)) {
    list.push(file);
    return { vars: {}, files: list };
  }
  if (typeof value !== 'object' || Array.isArray(value))
    return { vars: {}, files: list, error: `${file} must be stored as a dictionary/hash` };
  list.push(file);
  return { vars: { ...(value as Record<string, unknown>) }, files: list };
}

/** hash_behaviour=merge: each loaded value combined with the current variable of that name, as combine_vars does. */
function mergeWithCurrent(
  loaded: Record<string, unknown>,
  current: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(loaded)) {
    const old = Object.hasOwn(current, key) ? current[key] : undefined;
    if (!isDict(old) || !isDict(value)) {
      throw new BosunError(
        'MODULE_ARGS',
        `failed to combine variables, expected dicts but got a '${pyType(old)}' and a '${pyType(value)}': \n${JSON.stringify(old ?? null)}\n${JSON.stringify(value)}`,
      );
    }
    out[key] = combineVars(old, value, true);
  }
  return out;
}

function isEmptyDict(v: unknown): boolean {
  return isDict(v) && Object.keys(v).length === 0;
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pyType(v: unknown): string {
  if (v === undefined || v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'dict';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  return Number.isInteger(v) ? 'int' : 'float';
}
