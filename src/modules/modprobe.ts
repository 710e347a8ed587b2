/**
 * `modprobe`: load or unload a kernel module, and make it persistent in
 * /etc/modules-load.d/NAME.conf (with its parameters in
 * /etc/modprobe.d/NAME.conf). Decides from /proc/modules and
 * modules.builtin; a load is predicted with `modprobe -n` (dry run), so
 * check mode reports a module that cannot be loaded.
 */
import { sh, splitWords } from '../util/shell.js';
import { atomicWrite } from './lib/remote-file.js';
import { applying, deciding, failed } from './lib/result.js';
import { defineModule, type FileDiff } from './types.js';

/** Arguments of `modprobe`. */
export interface ModprobeArgs {
  name: string;
  state?: 'present' | 'absent';
  params?: string;
  persistent?: 'disabled' | 'present' | 'absent';
}

const LOAD_DIR = '/etc/modules-load.d';
const OPTIONS_DIR = '/etc/modprobe.d';
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One config file's lines as read from the target. */
export interface ConfFile {
  path: string;
  lines: string[];
}

/** The persistent-file plan: the files to write and their new content. */
export function planPersistent(
  name: string,
  params: string,
  persistent: 'present' | 'absent',
  loadFiles: ConfFile[],
  optionFiles: ConfFile[],
): Array<{ path: string; before: string | null; after: string }> {
  const moduleRe = new RegExp(`^ *${escapeRe(name)} *(?:[#;].*)?$`);
  const paramRe = new RegExp(`^options ${escapeRe(name)} (\\w+=\\S+) *(?:[#;].*)?$`);
  const wantParams = [...new Set(params.split(/\s+/).filter(Boolean))].sort();
  const haveParams = [
    ...new Set(
      optionFiles.flatMap((f) => f.lines.map((l) => paramRe.exec(l)?.[1]).filter((p): p is string => p !== undefined)),
    ),
  ].sort();
  const listed = loadFiles.some((f) => f.lines.some((l) => moduleRe.test(l)));
  const text = (lines: string[]): string => lines.map((l) => `${l}\n`).join('');
  const comment = (f: ConfFile, re: RegExp): { path: string; before: string; after: string } | undefined =>
    f.lines.some((l) => re.test(l))
      ? { path: f.path, before: text(f.lines), after: text(f.lines.map((l) => (re.test(l) ? `#${l}` : l))) }
      : undefined;
  const out: Array<{ path: string; before: string | null; after: string }> = [];
  const own = (dir: string, files: ConfFile[]): ConfFile | undefined =>
    files.find((f) => f.path === `${dir}/${name}.conf`);
  if (persistent === 'present') {
    if (!listed)
      out.push({
        path: `${LOAD_DIR}/${name}.conf`,
        before: own(LOAD_DIR, loadFiles) ? text(own(LOAD_DIR, loadFiles)!.lines) : null,
        after: `${name}\n`,
      });
    if (wantParams.join(' ') !== haveParams.join(' ')) {
      const mine = `${OPTIONS_DIR}/${name}.conf`;
      for (const f of optionFiles)
        if (f.path !== mine) {
          const c = comment(f, paramRe);
          if (c) out.push(c);
        }
      const after = params
        .split(/\s+/)
        .filter(Boolean)
        .map((p) => `options ${name} ${p}\n`)
        .join('');
      const cur = own(OPTIONS_DIR, optionFiles);
      if (after || cur)
        out.push({
          path: mine,
          before: cur ? text(cur.lines) : null,
          after: after || text(cur!.lines.map((l) => (paramRe.test(l) ? `#${l}` : l))),
        });
    }
  } else {
    for (const f of loadFiles) {
      const c = comment(f, moduleRe);
      if (c) out.push(c);
    }
    for (const f of optionFiles) {
      const c = comment(f, paramRe);
      if (c) out.push(c);
    }
  }
  return out.filter((f) => f.before !== f.after);
}

/** Parse `F path` headers followed by the file's lines (what the probe prints). */
function parseConfFiles(text: string, dir: string): ConfFile[] {
  const files: ConfFile[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(`F ${dir}/`)) files.push({ path: line.slice(2), lines: [] });
    else if (line.startsWith('| ') && files.length) files.at(-1)!.lines.push(line.slice(2));
  }
  return files;
}

const dumpDir = (tag: string, dir: string): string =>
  `echo ${tag}; for f in ${dir}/*; do [ -f "$f" ] || continue; printf 'F %s\\n' "$f"; sed 's/^/| /' "$f"; done`;

/** The `modprobe` module. */
export default defineModule<ModprobeArgs>({
  name: 'modprobe',
  docs: {
    short: 'Load or unload a kernel module, and make it persistent',
    description:
      'Decides from /proc/modules and modules.builtin. Loads are dry-run first (modprobe -n), so check mode reports a module that cannot be loaded.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9_-]+$', description: 'The kernel module' },
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'Whether the module is loaded',
      },
      params: {
        type: 'string',
        default: '',
        description: "Parameters for the load, 'a=1 b=2' (and for the persistent options file)",
      },
      persistent: {
        type: 'string',
        enum: ['disabled', 'present', 'absent'],
        default: 'disabled',
        description:
          'present: write /etc/modules-load.d/NAME.conf (and /etc/modprobe.d/NAME.conf for params); absent: comment out those lines; disabled: leave files alone',
      },
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const name = args.name;
      const state = args.state ?? 'present';
      const params = args.params ?? '';
      const persistent = args.persistent ?? 'disabled';
      const words = splitWords(params);
      const proc = name.replace(/-/g, '_');
      const script = [
        'command -v modprobe >/dev/null 2>&1 && echo HAVE || echo MISSING',
        sh`if grep -q ${`^${proc} `} /proc/modules 2>/dev/null; then echo LOADED; ` +
          sh`elif grep -q ${`/${name}.ko`} "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null; then echo LOADED; else echo UNLOADED; fi`,
      ];
      if (persistent !== 'disabled') script.push(dumpDir('LOADFILES', LOAD_DIR), dumpDir('OPTIONFILES', OPTIONS_DIR));
      const res = await ctx.conn.exec(script.join('\n'));
      const [have, loadedLine] = res.stdout.split('\n');
      const loaded = loadedLine === 'LOADED';
      const wantLoad = state === 'present' && !loaded;
      const wantUnload = state === 'absent' && loaded;
      const data = { name, params, state };
      const diff: FileDiff[] = [];
      if (wantLoad || wantUnload) {
        if (have !== 'HAVE')
          return failed(
            `modprobe: the modprobe command is not installed on the host (cannot ${wantLoad ? 'load' : 'unload'} ${name})`,
          );
        const dry = await ctx.conn.exec(wantLoad ? sh`modprobe -n -- ${name} ${words}` : sh`modprobe -n -r -- ${name}`);
        if (dry.rc !== 0)
          return failed((dry.stderr || dry.stdout).trim() || `modprobe -n ${name} failed (rc ${dry.rc})`, {
            ...data,
            rc: dry.rc,
            stdout: dry.stdout,
            stderr: dry.stderr,
          });
        diff.push({
          path: `module ${name}`,
          before: `${name}: ${wantLoad ? 'not loaded' : 'loaded'}\n`,
          after: `${name}: ${wantLoad ? 'loaded' : 'not loaded'}\n`,
        });
      }
      let files: Array<{ path: string; before: string | null; after: string }> = [];
      if (persistent !== 'disabled') {
        const at = res.stdout.indexOf('\nOPTIONFILES\n');
        const loadFiles = parseConfFiles(res.stdout.slice(0, at), LOAD_DIR);
        const optionFiles = parseConfFiles(res.stdout.slice(at), OPTIONS_DIR);
        files = planPersistent(name, params, persistent, loadFiles, optionFiles);
        for (const f of files) diff.push({ path: f.path, before: f.before ?? '', after: f.after });
      }
      if (!diff.length) return { kind: 'ok', data };
      return {
        kind: 'change',
        diff,
        data,
        apply: () =>
          applying(async () => {
            for (const f of files) {
              const mk = await ctx.conn.exec(sh`mkdir -p -- ${f.path.replace(/\/[^/]*$/, '')}`);
              if (mk.rc !== 0)
                return { kind: 'failed', msg: `cannot create the folder of ${f.path}: ${mk.stderr.trim()}` };
              await atomicWrite(ctx.conn, f.path, Buffer.from(f.after), { mode: 0o644 });
            }
            if (wantLoad || wantUnload) {
              const r = await ctx.conn.exec(wantLoad ? sh`modprobe -- ${name} ${words}` : sh`modprobe -r -- ${name}`);
              const err = (r.stderr || r.stdout).trim();
              if (r.rc !== 0)
                return {
                  kind: 'failed',
                  // The dry run passes; the kernel refuses a host without CAP_SYS_MODULE (containers, sandbox hosts).
                  msg: err.includes('Operation not permitted')
                    ? `modprobe: this host may not ${wantLoad ? 'load' : 'unload'} kernel modules (${err}); it shares its kernel with the machine it runs on (a container, or a bosun sandbox host)`
                    : err,
                  data: { ...data, rc: r.rc, stdout: r.stdout, stderr: r.stderr },
                };
            }
            return { kind: 'applied', data };
          }),
      };
    }),
});
