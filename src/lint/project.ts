/**
 * The project bosun lint looks at: every file of the linted paths parsed
 * once (YAML with positions), grouped into roles and playbooks, plus the
 * roles those playbooks apply from elsewhere (the built-in roles, say),
 * which contribute definitions (variables, handlers) but are not reported on.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BosunError, isBosunError, type SourcePos } from '../errors.js';
import { BUILTIN_ROLES_DIR, findRoleDir } from '../playbook/load.js';
import { parseYaml, type YamlFile } from '../util/yaml.js';
import { iniInventoryVarNames, inventoryFiles, looksLikeIniInventory } from './inventory-vars.js';
import { dependencyNames, roleReferences } from './references.js';

/** What a file is, which decides its schema and how it is walked. */
export type FileKind =
  'playbook' | 'tasks' | 'handlers' | 'vars' | 'role-meta' | 'argument-specs' | 'template' | 'scenario';

/** One parsed file. */
export interface LintFile {
  /** The path as shown in findings (relative to the working directory when inside it). */
  file: string;
  /** Absolute path. */
  abs: string;
  kind: FileKind;
  text: string;
  /** The parsed YAML (undefined for templates and for files that do not parse). */
  yaml: YamlFile | undefined;
  /** Why the file does not parse. */
  syntaxError: BosunError | undefined;
  role: LintRole | undefined;
  /** Outside the linted paths: only its definitions count, nothing is reported in it. */
  external: boolean;
}

/** One option of a role's argument specs. */
export interface SpecOption {
  entry: string;
  pos: SourcePos;
  required: boolean;
  hasDefault: boolean;
}

/** A role folder. */
export interface LintRole {
  name: string;
  dir: string;
  external: boolean;
  files: LintFile[];
  /** `defaults/*.yml` variables and where each is set. */
  defaults: Map<string, SourcePos>;
  /** `vars/*.yml` variables. */
  vars: Map<string, SourcePos>;
  /** `meta/argument_specs.yml` options (every entry point). */
  spec: Map<string, SpecOption>;
  /** Roles this one depends on (meta dependencies), resolved. */
  dependencies: LintRole[];
}

/** Everything lint sees. */
export interface LintProject {
  files: LintFile[];
  roles: LintRole[];
  /** Variable names defined outside task files: group_vars/, host_vars/, vars files, inventories. */
  definedElsewhere: Set<string>;
}

const YAML_EXT = /\.ya?ml$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git']);

/** True when a folder looks like a role (has tasks/ or meta/main.yml). */
export function isRoleDir(dir: string): boolean {
  return (
    isDir(path.join(dir, 'tasks')) ||
    existsSync(path.join(dir, 'meta', 'main.yml')) ||
    existsSync(path.join(dir, 'meta', 'main.yaml'))
  );
}

/** Built-in roles referenced by linted files count for definitions only (they have their own tests). */
function isBuiltin(dir: string): boolean {
  return dir.startsWith(BUILTIN_ROLES_DIR + path.sep);
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function filesUnder(dir: string, keep: (f: string) => boolean = () => true): string[] {
  if (!isDir(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p, keep));
    else if (entry.isFile() && keep(p)) out.push(p);
  }
  return out;
}

/** Builds a project from paths: roles, playbooks, task files; references resolved. */
class ProjectBuilder {
  readonly files = new Map<string, LintFile>();
  readonly roles = new Map<string, LintRole>();
  readonly definedElsewhere = new Set<string>();
  private readonly varDirsSeen = new Set<string>();

  constructor(private readonly cwd: string) {}

  read(abs: string, kind: FileKind, role: LintRole | undefined, external: boolean): LintFile {
    const known = this.files.get(abs);
    if (known) return known;
    const text = readFileSync(abs, 'utf8');
    const rel = path.relative(this.cwd, abs);
    const file = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
    let yaml: YamlFile | undefined;
    let syntaxError: BosunError | undefined;
    if (kind !== 'template') {
      try {
        yaml = parseYaml(text, file);
      } catch (e) {
        if (!isBosunError(e)) throw e;
        syntaxError = e;
      }
    }
    const lf: LintFile = { file, abs, kind, text, yaml, syntaxError, role, external };
    this.files.set(abs, lf);
    role?.files.push(lf);
    return lf;
  }

  role(dir: string, external: boolean): LintRole {
    const known = this.roles.get(dir);
    if (known) return known;
    const role: LintRole = {
      name: path.basename(dir),
      dir,
      external,
      files: [],
      defaults: new Map(),
      vars: new Map(),
      spec: new Map(),
      dependencies: [],
    };
    this.roles.set(dir, role);
    const yamlIn = (sub: string): string[] => filesUnder(path.join(dir, sub), (f) => YAML_EXT.test(f));
    for (const f of yamlIn('defaults')) this.collectVars(this.read(f, 'vars', role, external), role.defaults);
    for (const f of yamlIn('vars')) this.collectVars(this.read(f, 'vars', role, external), role.vars);
    for (const f of yamlIn('tasks')) this.read(f, 'tasks', role, external);
    for (const f of yamlIn('handlers')) this.read(f, 'handlers', role, external);
    for (const f of yamlIn('meta')) {
      const base = path.basename(f).replace(YAML_EXT, '');
      if (base === 'main') this.read(f, 'role-meta', role, external);
      else if (base === 'argument_specs') this.collectSpec(this.read(f, 'argument-specs', role, external), role);
    }
    if (!external) {
      for (const f of filesUnder(path.join(dir, 'templates'))) this.read(f, 'template', role, external);
      for (const f of yamlIn('tests')) {
        if (path.basename(f).replace(YAML_EXT, '') === 'scenario')
          this.collectScenario(this.read(f, 'scenario', role, external));
        else this.classify(f, role);
      }
    }
    const meta = role.files.find((f) => f.kind === 'role-meta');
    for (const name of dependencyNames(meta)) {
      const depDir = findRoleDir(name, path.dirname(dir), [BUILTIN_ROLES_DIR]);
      if (depDir) role.dependencies.push(this.role(depDir, external || isBuiltin(depDir)));
    }
    return role;
  }

  /** A YAML file outside a role's known folders: a playbook, a task list, or variables (group_vars, inventories). */
  classify(abs: string, role?: LintRole): void {
    if (!YAML_EXT.test(abs)) {
      if (looksLikeIniInventory(abs)) this.collectIni(abs);
      return;
    }
    const probe = this.peek(abs);
    if (probe === 'playbook') this.read(abs, 'playbook', role, false);
    else if (probe === 'tasks') this.read(abs, 'tasks', role, false);
    else if (probe === 'vars') this.collectDefinitions(abs);
    else if (probe === 'unparsable') this.read(abs, 'playbook', role, false);
  }

  private peek(abs: string): 'playbook' | 'tasks' | 'vars' | 'broken' | 'unparsable' {
    let value: unknown;
    try {
      value = parseYaml(readFileSync(abs, 'utf8'), abs).value;
    } catch {
      return 'unparsable';
    }
    if (Array.isArray(value)) {
      const maps = value.filter(
        (v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v),
      );
      if (maps.length && maps.some((m) => 'hosts' in m || 'import_playbook' in m)) return 'playbook';
      if (maps.length === value.length && maps.length > 0) return 'tasks';
      return 'broken';
    }
    return value && typeof value === 'object' ? 'vars' : 'broken';
  }

  /** Every key of a variables file or an inventory's vars and hosts counts as defined. */
  collectDefinitions(abs: string): void {
    let value: unknown;
    try {
      value = parseYaml(readFileSync(abs, 'utf8'), abs).value;
    } catch {
      return;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) return;
    for (const key of Object.keys(value)) this.definedElsewhere.add(key);
    const groups = Object.values(value as Record<string, unknown>);
    const walkGroup = (g: unknown): void => {
      if (!g || typeof g !== 'object') return;
      const { vars, hosts, children } = g as Record<string, unknown>;
      if (vars && typeof vars === 'object') for (const k of Object.keys(vars)) this.definedElsewhere.add(k);
      if (hosts && typeof hosts === 'object')
        for (const h of Object.values(hosts as Record<string, unknown>))
          if (h && typeof h === 'object') for (const k of Object.keys(h)) this.definedElsewhere.add(k);
      if (children && typeof children === 'object') Object.values(children).forEach(walkGroup);
    };
    groups.forEach(walkGroup);
  }

  /** The variables an INI inventory sets. */
  collectIni(abs: string): void {
    for (const name of iniInventoryVarNames(abs)) this.definedElsewhere.add(name);
  }

  /** An inventory given with -i: its variables (INI or YAML), and group_vars/ and host_vars/ beside it. */
  inventory(abs: string, given: string): void {
    // A host list (`web1,web2,`) sets no variables; any other -i names a file or a folder.
    if (given.includes(',')) return;
    if (!existsSync(abs))
      throw new BosunError('FILE_NOT_FOUND', `no such inventory: ${given}`, {
        hint: 'give -i an inventory file (INI or YAML) or a folder of them, as for bosun run',
      });
    const files = inventoryFiles(abs);
    for (const f of files.yaml) this.collectDefinitions(f);
    for (const f of files.ini) this.collectIni(f);
    if (files.yaml.length + files.ini.length === 0) return;
    this.varDirs(isDir(abs) ? abs : path.dirname(abs));
  }

  /** The files of a templates/ folder (of a playbook folder; a role reads its own). */
  templates(dir: string): void {
    for (const f of filesUnder(dir)) if (!this.files.has(f)) this.read(f, 'template', undefined, false);
  }

  /** group_vars/ and host_vars/ beside a playbook or an inventory. */
  varDirs(dir: string): void {
    if (this.varDirsSeen.has(dir)) return;
    this.varDirsSeen.add(dir);
    for (const sub of ['group_vars', 'host_vars'])
      for (const f of filesUnder(path.join(dir, sub), (p) => YAML_EXT.test(p) || !path.extname(p)))
        this.collectDefinitions(f);
  }

  private collectVars(lf: LintFile, into: Map<string, SourcePos>): void {
    const value = lf.yaml?.value;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return;
    for (const key of Object.keys(value)) if (!into.has(key)) into.set(key, lf.yaml!.keyPosOf([key]));
  }

  private collectSpec(lf: LintFile, role: LintRole): void {
    const specs = (
      lf.yaml?.value as
        // YAML: an entry or an option may be null (`options:` with nothing under it).
        | { argument_specs?: Record<string, { options?: Record<string, Record<string, unknown> | null> } | null> }
        | undefined
    )?.argument_specs;
    if (!specs || typeof specs !== 'object') return;
    for (const [entry, spec] of Object.entries(specs)) {
      for (const [name, opt] of Object.entries(spec?.options ?? {})) {
        if (role.spec.has(name)) continue;
        const o = opt ?? {};
        role.spec.set(name, {
          entry,
          pos: lf.yaml!.keyPosOf(['argument_specs', entry, 'options', name]),
          required: o['required'] === true,
          hasDefault: 'default' in o,
        });
      }
    }
  }

  private collectScenario(lf: LintFile): void {
    const value = lf.yaml?.value as Record<string, unknown> | undefined;
    for (const key of ['vars', 'check_vars']) {
      const vars = value?.[key];
      if (vars && typeof vars === 'object') for (const k of Object.keys(vars)) this.definedElsewhere.add(k);
    }
  }

  /**
   * Resolve what playbooks and task files refer to: roles (external when outside the paths), vars files, task files.
   */
  resolveReferences(): void {
    let before = -1;
    while (before !== this.files.size + this.roles.size) {
      before = this.files.size + this.roles.size;
      for (const lf of [...this.files.values()]) {
        if (lf.kind !== 'playbook' && lf.kind !== 'tasks' && lf.kind !== 'handlers') continue;
        const dir = path.dirname(lf.abs);
        if (lf.kind === 'playbook') {
          this.varDirs(dir);
          if (!lf.external) this.templates(path.join(dir, 'templates'));
        }
        const refs = roleReferences(lf);
        for (const name of refs.roles) {
          const base = lf.role && lf.kind !== 'playbook' ? path.dirname(lf.role.dir) : dir;
          const roleDir = findRoleDir(name, base, [BUILTIN_ROLES_DIR]);
          if (roleDir) this.role(roleDir, isBuiltin(roleDir));
        }
        for (const rel of refs.varsFiles) {
          const abs = path.resolve(dir, rel);
          if (existsSync(abs)) this.collectDefinitions(abs);
        }
        for (const rel of refs.taskFiles) {
          const candidates = [path.resolve(dir, rel), ...(lf.role ? [path.resolve(lf.role.dir, 'tasks', rel)] : [])];
          const abs = candidates.find((c) => existsSync(c));
          if (abs && !this.files.has(abs)) this.read(abs, 'tasks', lf.role, lf.external);
        }
        for (const rel of refs.playbooks) {
          const abs = path.resolve(dir, rel);
          if (existsSync(abs) && !this.files.has(abs)) this.read(abs, 'playbook', undefined, lf.external);
        }
      }
    }
  }
}

/** Read the linted paths: a role folder, a folder holding roles and playbooks, or single files; `inventories` as -i. */
export function loadProject(paths: string[], cwd = process.cwd(), inventories: string[] = []): LintProject {
  const builder = new ProjectBuilder(cwd);
  for (const inv of inventories) builder.inventory(path.resolve(cwd, inv), inv);
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    if (!existsSync(abs)) throw new BosunError('FILE_NOT_FOUND', `no such file or folder: ${p}`);
    const enclosing = enclosingRole(abs);
    if (enclosing) {
      builder.role(enclosing, false);
      continue;
    }
    if (!isDir(abs)) {
      // A file named on the command line that is neither YAML nor an inventory is a template to lint.
      if (isTemplateFile(abs)) builder.read(abs, 'template', undefined, false);
      else builder.classify(abs);
      continue;
    }
    walk(abs, builder);
  }
  builder.resolveReferences();
  const files = [...builder.files.values()].sort((a, b) => a.file.localeCompare(b.file));
  return { files, roles: [...builder.roles.values()], definedElsewhere: builder.definedElsewhere };
}

function walk(dir: string, builder: ProjectBuilder): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'group_vars' || entry.name === 'host_vars') builder.varDirs(dir);
      else if (entry.name === 'templates') builder.templates(p);
      else if (isRoleDir(p)) builder.role(p, false);
      else walk(p, builder);
    } else if (entry.isFile() && (YAML_EXT.test(entry.name) || looksLikeIniInventory(p))) {
      builder.classify(p);
    }
  }
}

/** A file given by name that is a template: in a templates/ folder, or neither YAML nor an INI inventory. */
function isTemplateFile(abs: string): boolean {
  if (abs.split(path.sep).includes('templates')) return true;
  return !YAML_EXT.test(abs) && !looksLikeIniInventory(abs);
}

/** The role folder a path is in (or is), if any. */
function enclosingRole(abs: string): string | undefined {
  if (isDir(abs) && isRoleDir(abs)) return abs;
  let dir = path.dirname(abs);
  for (let i = 0; i < 4 && dir !== path.dirname(dir); i++) {
    if (
      isRoleDir(dir) &&
      ['tasks', 'handlers', 'defaults', 'vars', 'meta', 'templates', 'tests'].includes(
        path.relative(dir, abs).split(path.sep)[0]!,
      )
    )
      return dir;
    dir = path.dirname(dir);
  }
  return undefined;
}
