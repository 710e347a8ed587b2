/**
 * `template-dialect`: a template file whose name says one dialect while bosun
 * reads it in the other (docs/templates.md, "The dialect rule"): a `.j2`
 * file that uses Handlebars-only syntax is rendered as Handlebars, and a
 * `.hbs` file with Jinja2 statements (`{% %}`) renders them as text. Either
 * is almost always a file half-converted between the two.
 */
import { isHandlebarsFile } from '../../template/index.js';
import { defineRule } from '../types.js';

const JINJA_NAME = /\.(j2|jinja2?)$/i;
const HANDLEBARS_NAME = /\.(hbs|handlebars)$/i;

/** The `template-dialect` rule. */
export default defineRule({
  id: 'template-dialect',
  docs: {
    short:
      'A `.j2` template read as Handlebars (it uses Handlebars-only syntax), or a `.hbs` template holding Jinja2 statements',
    fix: 'write the file in one dialect and name it for it: Jinja2 in `.j2`, bosun Handlebars in `.hbs`',
  },
  check(ctx) {
    for (const file of ctx.project.files) {
      if (file.external || file.kind !== 'template') continue;
      {
        const site = { text: file.text };
        const name = file.file;
        if (site.text.includes('\0')) continue;
        const handlebars = isHandlebarsFile(site.text, name);
        if (JINJA_NAME.test(name) && handlebars) {
          const at = site.text.search(/\{\{[#/^!>{~]|\{\{\s*else|@\w|\.\.\//);
          const line = at < 0 ? 1 : site.text.slice(0, at).split('\n').length;
          ctx.report(
            { file: name, line, col: 1 },
            `read as Handlebars: the file uses syntax only Handlebars has, so it is not rendered as Jinja2`,
          );
        } else if (HANDLEBARS_NAME.test(name) && site.text.includes('{%')) {
          const at = site.text.indexOf('{%');
          const line = site.text.slice(0, at).split('\n').length;
          ctx.report(
            { file: name, line, col: at - site.text.lastIndexOf('\n', at - 1) },
            'a Jinja2 statement in a Handlebars (.hbs) file is written out as text',
          );
        }
      }
    }
  },
});
