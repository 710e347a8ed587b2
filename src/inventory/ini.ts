/**
 * INI inventories, as Ansible reads them: `[group]` lists hosts (with inline
 * `key=value` variables read as literals), `[group:children]` lists child
 * groups, `[group:vars]` sets group variables (always strings). Hosts before
 * any section are ungrouped.
 */
import { BosunError, rememberSource, type SourcePos } from '../errors.js';
import { parseLiteral } from './literal.js';
import { addChild, addGroup, addHost, displayPath, setVar, type Inventory } from './model.js';
import { parseHostEntry } from './ranges.js';

/** One word of a host line and the column where it starts. */
interface Token {
  text: string;
  col: number;
  /** Index in `text` of the first '=' outside quotes, or -1. */
  equals: number;
}

interface Section {
  kind: 'hosts' | 'children' | 'vars';
  group: string;
}

const HEADER = /^\[([^:\]\s]+)(?::([^\]\s]*))?\]\s*(?:[#;].*)?$/;
const GROUP_NAME = /^[^:\][\s=#;]+$/;

/** Read an INI inventory file's text into `inv`. */
export function parseIniInventory(inv: Inventory, text: string, file: string): void {
  rememberSource(file, text);
  const shown = displayPath(file);
  let section: Section = { kind: 'hosts', group: 'ungrouped' };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const at = (col: number): SourcePos => ({ file, line: i + 1, col });
    if (line.startsWith('[')) {
      section = parseHeader(line, at, indent);
      addGroup(inv, section.group, at(indent + 2));
    } else if (section.kind === 'vars') {
      const eq = line.indexOf('=');
      const key = eq < 0 ? '' : line.slice(0, eq).trim();
      if (eq < 0 || key === '' || /\s/.test(key)) {
        throw new BosunError('INVENTORY', `expected key=value in [${section.group}:vars], got '${line}'`, {
          source: at(indent + 1),
          hint: 'a [group:vars] section holds one variable per line: name=value',
        });
      }
      const group = addGroup(inv, section.group);
      setVar(
        inv,
        group,
        'group',
        key,
        unquote(line.slice(eq + 1).trim()),
        at(indent + 1),
        `${shown} [${section.group}:vars]`,
      );
    } else if (section.kind === 'children') {
      const name = line.replace(/\s+[#;].*$/, '');
      if (!GROUP_NAME.test(name)) {
        throw new BosunError('INVENTORY', `expected a group name in [${section.group}:children], got '${line}'`, {
          source: at(indent + 1),
        });
      }
      addChild(inv, section.group, name, at(indent + 1));
    } else {
      parseHostLine(inv, raw, section.group, at, shown);
    }
  }
}

function parseHeader(line: string, at: (col: number) => SourcePos, indent: number): Section {
  const m = HEADER.exec(line);
  if (!m) {
    throw new BosunError(
      'INVENTORY',
      `invalid section header '${line}': expected [group], [group:children] or [group:vars]`,
      {
        source: at(indent + 1),
        hint: 'group names cannot contain spaces, ":" or "]"',
      },
    );
  }
  const group = m[1]!;
  const kind = m[2];
  if (kind === undefined || kind === 'hosts') return { kind: 'hosts', group };
  if (kind === 'children' || kind === 'vars') return { kind, group };
  const expected = `[${group}], [${group}:children] or [${group}:vars]`;
  throw new BosunError('INVENTORY', `unknown section type ':${kind}' in '[${group}:${kind}]': expected ${expected}`, {
    source: at(indent + group.length + 3),
  });
}

function parseHostLine(
  inv: Inventory,
  raw: string,
  group: string,
  at: (col: number) => SourcePos,
  shown: string,
): void {
  const tokens = tokenize(raw, at);
  const [first, ...rest] = tokens;
  if (!first) return;
  if (first.equals >= 0) {
    throw new BosunError('INVENTORY', `expected a host name in [${group}], got the variable '${first.text}'`, {
      source: at(first.col),
      hint: `variables follow a host on its line (web1 ${first.text}), or go in a [${group}:vars] section`,
    });
  }
  const hostAt = at(first.col);
  const { names, port } = parseHostEntry(first.text, hostAt);
  const values: Array<[string, unknown, SourcePos]> = [];
  for (const token of rest) {
    const key = token.text.slice(0, token.equals);
    if (token.equals <= 0) {
      throw new BosunError('INVENTORY', `expected key=value host variable after '${first.text}', got '${token.text}'`, {
        source: at(token.col),
        hint: 'quote values that contain spaces: key="a value"',
      });
    }
    values.push([key, parseLiteral(token.text.slice(token.equals + 1)), at(token.col)]);
  }
  for (const name of names) {
    const host = addHost(inv, name, group, hostAt);
    const origin = `${shown} host ${name}`;
    if (port !== undefined) setVar(inv, host, 'host', 'ansible_port', port, hostAt, origin);
    for (const [key, value, pos] of values) setVar(inv, host, 'host', key, value, pos, origin);
  }
}

/** Split a host line like a POSIX shell does (quotes, backslashes, `#` comments), keeping columns. */
function tokenize(line: string, at: (col: number) => SourcePos): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length || line[i] === '#') break;
    const start = i;
    let text = '';
    let equals = -1;
    while (i < line.length && !/\s/.test(line[i]!)) {
      const ch = line[i]!;
      if (ch === '#') break;
      if (ch === "'" || ch === '"') {
        const close = findClose(line, i);
        if (close < 0)
          throw new BosunError('INVENTORY', `unterminated ${ch === '"' ? 'double' : 'single'} quote`, {
            source: at(i + 1),
            hint: `close the value with ${ch}`,
          });
        const inner = line.slice(i + 1, close);
        text += ch === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
        i = close + 1;
      } else if (ch === '\\' && i + 1 < line.length) {
        text += line[i + 1]!;
        i += 2;
      } else {
        if (ch === '=' && equals < 0) equals = text.length;
        text += ch;
        i++;
      }
    }
    tokens.push({ text, col: start + 1, equals });
  }
  return tokens;
}

function findClose(line: string, open: number): number {
  const quote = line[open];
  for (let i = open + 1; i < line.length; i++) {
    if (quote === '"' && line[i] === '\\') i++;
    else if (line[i] === quote) return i;
  }
  return -1;
}

/** `[g:vars]` values are strings; one pair of surrounding quotes is removed. */
function unquote(value: string): string {
  const m = /^(["'])(.*)\1$/.exec(value);
  return m ? m[2]! : value;
}
