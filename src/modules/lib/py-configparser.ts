/**
 * Python's `configparser.RawConfigParser` as the yum_repository module uses it (Python 3.11's defaults:
 * strict, `=` and `:` delimiters, full-line `#`/`;` comments, blank lines kept inside values, option names
 * lowercased): read a file into ordered sections, write them back as `write()` does (comments are lost, a
 * multi-line value continues with a tab), and dump them sorted as the module's diff does.
 */

/** One parsed file: the DEFAULT section's options and the other sections, in file order. */
export interface PyConfig {
  defaults: Map<string, string>;
  sections: Map<string, Map<string, string>>;
}

/** The file cannot be parsed (Python raises; the message names the line as Python's does). */
export class ConfigParseError extends Error {}

/** An empty configuration. */
export function emptyConfig(): PyConfig {
  return { defaults: new Map(), sections: new Map() };
}

/** Parse `text` as RawConfigParser.read does (`file` names it in errors). */
export function parseConfig(text: string, file: string): PyConfig {
  const config = emptyConfig();
  const raw = new Map<Map<string, string>, Map<string, string[]>>();
  const added = new Set<string>();
  let cursect: Map<string, string[]> | undefined;
  let sectname = '';
  let optname: string | undefined;
  let indentLevel = 0;
  const badLines: string[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, i) => {
    const lineno = i + 1;
    const comment = /^\s*[#;]/.test(line);
    const value = comment ? '' : line.trim();
    if (!value) {
      if (!comment && cursect && optname) cursect.get(optname)?.push('');
      return;
    }
    const indent = line.search(/\S/);
    if (cursect && optname && indent > indentLevel) {
      cursect.get(optname)!.push(value);
      return;
    }
    indentLevel = indent;
    const header = /^\[(.+)\]/.exec(value);
    if (header) {
      sectname = header[1]!;
      if (config.sections.has(sectname)) {
        if (added.has(sectname))
          throw new ConfigParseError(
            `While reading from '${file}' [line ${lineno.toString().padStart(2)}]: section '${sectname}' already exists`,
          );
        cursect = raw.get(config.sections.get(sectname)!)!;
      } else {
        const target = sectname === 'DEFAULT' ? config.defaults : new Map<string, string>();
        if (sectname !== 'DEFAULT') config.sections.set(sectname, target);
        if (!raw.has(target)) raw.set(target, new Map());
        cursect = raw.get(target)!;
      }
      added.add(sectname);
      optname = undefined;
      return;
    }
    if (!cursect)
      throw new ConfigParseError(
        `File contains no section headers.\nfile: '${file}', line: ${lineno}\n${JSON.stringify(`${line}\n`)}`,
      );
    const opt = /^(.*?)\s*([=:])\s*(.*)$/.exec(value);
    if (!opt?.[1]?.trimEnd()) {
      badLines.push(`\t[line ${lineno.toString().padStart(2)}]: ${JSON.stringify(`${line}\n`)}`);
      if (!opt) return;
    }
    optname = opt[1]!.trimEnd().toLowerCase();
    const key = `${sectname}\u0000${optname}`;
    if (added.has(key))
      throw new ConfigParseError(
        `While reading from '${file}' [line ${lineno.toString().padStart(2)}]: option '${optname}' in section '${sectname}' already exists`,
      );
    added.add(key);
    cursect.set(optname, [opt[3]!.trim()]);
  });
  if (badLines.length) throw new ConfigParseError(`Source contains parsing errors: '${file}'\n${badLines.join('\n')}`);
  for (const [target, options] of raw)
    for (const [name, parts] of options) target.set(name, parts.join('\n').trimEnd());
  return config;
}

/** One section as `write()` writes it. */
function sectionText(name: string, options: Map<string, string>): string {
  let out = `[${name}]\n`;
  for (const [key, value] of options) out += `${key} = ${value.replace(/\n/g, '\n\t')}\n`;
  return `${out}\n`;
}

/** The file `write()` writes: DEFAULT first when it has options, then every section in order. */
export function writeConfig(config: PyConfig): string {
  let out = config.defaults.size ? sectionText('DEFAULT', config.defaults) : '';
  for (const [name, options] of config.sections) out += sectionText(name, options);
  return out;
}

/** Python's sort of strings (by code point). */
export function byCodePoint(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** The module's `dump()`: sections sorted, each with its options and the defaults sorted, `key = value`. */
export function dumpConfig(config: PyConfig): string {
  let out = '';
  for (const name of [...config.sections.keys()].sort(byCodePoint)) {
    out += `[${name}]\n`;
    const items = new Map([...config.defaults, ...config.sections.get(name)!]);
    for (const key of [...items.keys()].sort(byCodePoint)) out += `${key} = ${items.get(key)!}\n`;
    out += '\n';
  }
  return out;
}
