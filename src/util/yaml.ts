/**
 * YAML with source positions, for every user file bosun reads. Parsing keeps
 * the document so that any path into the value (`['tasks', 3, 'copy']`) maps
 * back to a file:line:col for errors.
 */
import { promises as fs } from 'node:fs';
import {
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node as YamlNode,
  type ScalarTag,
} from 'yaml';
import { BosunError, rememberSource, type SourcePos } from '../errors.js';
import { isVaultText } from '../vault/format.js';
import { decryptForLoad, rememberRevealed } from '../vault/keyring.js';
import { VaultedValue, vaultTag } from '../vault/yaml-tag.js';
import { markUnsafe } from './unsafe.js';

/** A path into a parsed value: map keys and sequence indexes. */
export type ValuePath = ReadonlyArray<string | number>;

/** A parsed YAML file: its plain value and a way back to positions. */
export interface YamlFile {
  file: string;
  value: unknown;
  /** Position of the value at `path` (falls back to the nearest ancestor that exists). */
  posOf(path: ValuePath): SourcePos;
  /** Position of the key at the end of `path` (for "unknown key" errors); falls back to posOf. */
  keyPosOf(path: ValuePath): SourcePos;
}

/** Read and parse a YAML (or JSON) file; a missing file is FILE_NOT_FOUND. */
export async function loadYamlFile(file: string, from?: SourcePos): Promise<YamlFile> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BosunError(
      'FILE_NOT_FOUND',
      code === 'ENOENT' ? `file not found: ${file}` : `cannot read ${file}: ${(e as Error).message}`,
      from ? { source: from } : {},
    );
  }
  return parseYaml(text, file);
}

/**
 * Parse YAML text. YAML 1.2 core schema, with Ansible-compatible rules:
 * a plain scalar such as `0644` stays the string "0644" (what an Ansible
 * author means by it, where YAML 1.2 would read decimal 644), an unquoted
 * `{{ var }}` is rejected with a hint to quote it, and vaults (a whole file,
 * or a `!vault |` scalar) are decrypted with the secrets of `setVaultSecrets`.
 */
export function parseYaml(text: string, file: string): YamlFile {
  if (!isVaultText(text)) {
    rememberSource(file, text);
    return parseText(text, file);
  }
  // A whole file in a vault: parse its plaintext; every string in it is secret,
  // and error excerpts show its lines with the values blanked out.
  const plain = decryptForLoad(text, { file, line: 1, col: 1 });
  rememberSource(file, plain.split('\n').map(redactLine).join('\n'));
  const parsed = parseText(plain, file);
  rememberStrings(parsed.value);
  return parsed;
}

/** A vaulted file's line as error excerpts show it: the key kept, the value hidden. */
function redactLine(line: string): string {
  const m = /^(\s*(?:-\s+)?[^\s:#'"][^:#]*:)(\s+|$)/.exec(line);
  if (m) return line.length > m[0].length ? `${m[0]}********` : line;
  return line.trim() === '' || line.trim().startsWith('#') ? line : line.replace(/\S.*$/, '********');
}

/** Remember every string leaf of a value as revealed by a vault. */
function rememberStrings(value: unknown): void {
  if (typeof value === 'string') rememberRevealed(value);
  else if (Array.isArray(value)) value.forEach(rememberStrings);
  else if (value && typeof value === 'object') Object.values(value).forEach(rememberStrings);
}

function parseText(text: string, file: string): YamlFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    strict: true,
    customTags: [vaultTag, unsafeTag],
  });
  const toPos = (offset: number): SourcePos => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  const first = doc.errors[0];
  if (first) {
    throw new BosunError('YAML_SYNTAX', `invalid YAML: ${first.message.split('\n')[0]!}`, {
      source: toPos(first.pos[0]),
    });
  }
  visit(doc, {
    Pair(_key, pair, path) {
      if (isCollection(pair.key) && pair.key.flow) {
        const parent = path[path.length - 1] as YamlNode | undefined;
        const at = (isCollection(parent) && parent.flow ? parent.range?.[0] : undefined) ?? pair.key.range?.[0] ?? 0;
        throw new BosunError('YAML_SYNTAX', 'a value starting with "{{" must be quoted', {
          source: toPos(at),
          hint: 'write msg: "{{ var }}" (in quotes): unquoted, YAML reads {{ }} as a mapping',
        });
      }
    },
    Collection(_key, node) {
      if (node.tag === '!unsafe') {
        throw new BosunError('YAML_SYNTAX', '!unsafe must tag a text, not a mapping or a list', {
          source: toPos(node.range?.[0] ?? 0),
          hint: 'tag each text that must not be templated: [!unsafe "{{ a }}", !unsafe "{{ b }}"]',
        });
      }
      if (node.tag === '!vault') {
        throw new BosunError('VAULT', '!vault must tag a text holding a vault, not a mapping or a list', {
          source: toPos(node.range?.[0] ?? 0),
          hint: 'write `name: !vault |` and the lines bosun vault encrypt_string prints',
        });
      }
    },
    Scalar(_key, node) {
      if (node.value instanceof VaultedValue) {
        const at = node.range?.[0] ?? 0;
        const tagAt = text.lastIndexOf('!vault', at);
        const plain = decryptForLoad(
          node.value.vaultText,
          toPos(tagAt >= 0 && /^!vault\s*$/.test(text.slice(tagAt, at)) ? tagAt : at),
        );
        rememberRevealed(plain);
        node.value = plain;
        return;
      }
      if (
        node.type === 'PLAIN' &&
        typeof node.value === 'number' &&
        typeof node.source === 'string' &&
        /^0[0-7]+$/.test(node.source)
      ) {
        node.value = node.source;
      }
    },
  });
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
    if (text.includes('!unsafe')) value = unwrapUnsafe(value);
  } catch (e) {
    throw aliasError(doc, e as Error, toPos);
  }
  return {
    file,
    value,
    posOf: (path) => toPos(valueStart(nodeAt(doc, path, false), text)),
    keyPosOf: (path) => toPos(nodeAt(doc, path, true)?.range?.[0] ?? nodeAt(doc, path, false)?.range?.[0] ?? 0),
  };
}

/** The most aliases a file may expand (the yaml library's guard against "billion laughs" bombs). */
const MAX_ALIAS_COUNT = 1000;

/**
 * Why toJS failed on aliases: an alias with no anchor before it (`*x`), or aliases of anchors that
 * themselves hold aliases, multiplying the data past MAX_ALIAS_COUNT. Points at the alias to blame.
 */
function aliasError(doc: Document.Parsed, e: Error, toPos: (offset: number) => SourcePos): BosunError {
  let undefinedAt: number | undefined;
  let nestedAt: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      const target = node.resolve(doc);
      if (target === undefined) {
        undefinedAt ??= node.range?.[0] ?? 0;
        return visit.BREAK;
      }
      if (nestedAt === undefined && isCollection(target)) {
        if (holdsAlias(target)) nestedAt = node.range?.[0] ?? 0;
      }
      return undefined;
    },
  });
  if (undefinedAt === undefined && /alias count/i.test(e.message)) {
    return new BosunError(
      'YAML_SYNTAX',
      `invalid YAML: its aliases expand to more than ${MAX_ALIAS_COUNT} copies of data (a "billion laughs" alias bomb?)`,
      {
        source: toPos(nestedAt ?? 0),
        hint: 'an alias (*name) of an anchor that itself holds aliases multiplies the data it stands for: write the data out, or alias only anchors without aliases inside',
      },
    );
  }
  return new BosunError('YAML_SYNTAX', `invalid YAML: ${e.message}`, {
    source: toPos(undefinedAt ?? 0),
    hint: 'an alias (*name) needs an anchor (&name) earlier in the file',
  });
}

function holdsAlias(node: YamlNode): boolean {
  const found = { alias: false };
  visit(node, {
    Alias: () => {
      found.alias = true;
      return visit.BREAK;
    },
  });
  return found.alias;
}

/** A `!unsafe`-tagged text until the document is plain values: then a string in a container marked unsafe. */
class UnsafeText {
  constructor(readonly text: string) {}
}

/** `!unsafe`: Ansible's tag for a text that is never templated (src/util/unsafe.ts). */
const unsafeTag: ScalarTag = {
  tag: '!unsafe',
  identify: (value) => value instanceof UnsafeText,
  resolve: (str) => new UnsafeText(str),
  stringify: (item) => (item.value as UnsafeText).text,
};

/** Replace each UnsafeText by its text and mark its key in the container holding it. */
function unwrapUnsafe(value: unknown): unknown {
  if (value instanceof UnsafeText) return value.text;
  if (Array.isArray(value)) {
    const marked: number[] = [];
    value.forEach((item: unknown, i) => {
      if (item instanceof UnsafeText) marked.push(i);
      value[i] = unwrapUnsafe(item);
    });
    return markUnsafe(value, marked);
  }
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const marked: string[] = [];
    for (const [k, item] of Object.entries(obj)) {
      if (item instanceof UnsafeText) marked.push(k);
      obj[k] = unwrapUnsafe(item);
    }
    return markUnsafe(obj, marked);
  }
  return value;
}

/**
 * Where a value's text starts: inside the quotes of a quoted scalar, on the
 * first content line of a block scalar (`|`, `>`), so that positions inside a
 * templated string can be added to it.
 */
function valueStart(node: YamlNode | undefined, text: string): number {
  const start = node?.range?.[0] ?? 0;
  if (!isScalar(node)) return start;
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return start + 1;
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return start;
    let at = nl + 1;
    while (text[at] === ' ') at++;
    return at;
  }
  return start;
}

/** Walk the document along `path`; the deepest node reached (or its key node). */
function nodeAt(doc: Document, path: ValuePath, wantKey: boolean): YamlNode | undefined {
  let node: unknown = doc.contents;
  let keyNode: YamlNode | undefined;
  for (const step of path) {
    while (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(step),
      );
      if (!pair) break;
      keyNode = pair.key as YamlNode;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof step === 'number' && node.items[step] !== undefined) {
      keyNode = node.items[step] as YamlNode;
      node = node.items[step];
    } else {
      break;
    }
  }
  return (wantKey ? (keyNode ?? node) : node) as YamlNode | undefined;
}
