/**
 * Where `{% include %}` and `{% import %}` find other templates: a list of
 * folders searched in order (Ansible's template search path: the role's
 * templates/ and folder, the playbook's, the template's own), each file read
 * and parsed once per run.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BosunError } from '../../errors.js';
import { toSourcePos, type PosContext } from '../positions.js';
import { parseJinja, type ParseOptions } from './parse.js';
import type { LoadedTemplate, TemplateLoader } from './runtime.js';

/** The biggest template file read (as the template module's own limit for the main file). */
const MAX_BYTES = 16 * 1024 * 1024;

export function fileLoader(searchPath: string[], how: Omit<ParseOptions, 'verbatim'>): TemplateLoader {
  const found = new Map<string, LoadedTemplate | undefined>();
  return (name) => {
    if (found.has(name)) return found.get(name);
    let hit: LoadedTemplate | undefined;
    // A name never climbs out of the search path's folders (Jinja2's FileSystemLoader refuses '..' too).
    const parts = name.split('/');
    if (!path.isAbsolute(name) && !parts.includes('..')) {
      for (const dir of searchPath) {
        const file = path.join(dir, name);
        let size: number;
        try {
          const st = statSync(file);
          if (!st.isFile()) continue;
          size = st.size;
        } catch {
          continue;
        }
        const ctx: PosContext = { source: { file, line: 1, col: 1 }, inserted: new Map(), colShift: 0 };
        if (size > MAX_BYTES)
          throw new BosunError('TEMPLATE_RENDER', `the included template ${name} is over ${MAX_BYTES} bytes`, {
            source: ctx.source,
          });
        // Jinja2 drops one newline at the end of every template it loads.
        const text = readFileSync(file, 'utf8').replace(/(\r\n|\r|\n)$/, '');
        const tpl = parseJinja(text, ctx, { ...how, verbatim: false });
        const posCtx: PosContext = { ...ctx, inserted: tpl.inserted };
        hit = { tpl, pos: (loc) => toSourcePos(loc.line, loc.col, posCtx) };
        break;
      }
    }
    found.set(name, hit);
    return hit;
  };
}
