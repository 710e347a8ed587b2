/**
 * The text edit of community.general's ini_file (collection 6.6.2, the one
 * installed beside ansible-core 2.14), ported line for line: the fake
 * sections around the file, the value-matching passes of `exclusive`, where
 * missing options are inserted, and the quirks (a file without a final
 * newline is a change; a new file starts with an empty line).
 */

/** What to do to the lines. */
export interface IniSpec {
  section?: string | undefined;
  option?: string | undefined;
  values: string[];
  state: 'present' | 'absent';
  exclusive: boolean;
  noExtraSpaces: boolean;
  allowNoValue: boolean;
}

/** The edited lines, whether they changed and Ansible's msg. */
export interface IniEdit {
  lines: string[];
  changed: boolean;
  msg: string;
}

const FAKE = 'ad01e11446efb704fcdbdb21f2c43757423d91c5';
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** Python's `re.match('[#;]?( |\t)*(OPT)( |\t)*(=|$)( |\t)*(.*)', line)` (or without the comment prefix): the value, or undefined. */
function matchOption(option: string, line: string, active: boolean): string | undefined {
  // Python's `$` also matches before a final newline; its `.` stops only at \n.
  const re = new RegExp(`^${active ? '' : '[#;]?'}[ \\t]*${escape(option)}[ \\t]*(?:=|(?=\\n$)|$)[ \\t]*([^\\n]*)`);
  const m = re.exec(line);
  return m ? m[1]! : undefined;
}

const blankOrComment = /^[ \t]*([#;][^\n]*)?(?:\n)?$/;

/** Apply ini_file's edit to the file's lines (each with its `\n`; empty for a new file). */
export function editIni(fileLines: string[], spec: IniSpec): IniEdit {
  const values: string[] = [];
  for (const v of spec.values) if (!values.includes(v)) values.push(v);
  const { option, state, exclusive, allowNoValue } = spec;
  const lines = [...fileLines];
  let changed = false;
  if (!lines.length) lines.push('\n');
  const last = lines[lines.length - 1]!;
  if (last === '' || !last.endsWith('\n')) {
    lines[lines.length - 1] = `${last}\n`;
    changed = true;
  }
  lines.unshift(`[${FAKE}]`);
  lines.push('[');
  const section = spec.section ? spec.section : FAKE;
  let within = false;
  let start = 0;
  let end = 0;
  for (const [i, line] of lines.entries()) {
    if (line.startsWith(`[${section}]`)) {
      within = true;
      start = i;
    } else if (line.startsWith('[') && within) {
      end = i;
      break;
    }
  }
  const before = lines.slice(0, start);
  let sectionLines = lines.slice(start, end);
  const after = lines.slice(end);
  let changedLines = new Array<number>(sectionLines.length).fill(0);
  let msg = 'OK';
  const assign = (o: string, v: string): string => (spec.noExtraSpaces ? `${o}=${v}\n` : `${o} = ${v}\n`);
  let noValuePresent = false;
  const update = (index: number, newline: string): void => {
    if (sectionLines[index] !== newline) {
      changed = true;
      msg = 'option changed';
    }
    sectionLines[index] = newline;
    changedLines[index] = 1;
  };

  if (state === 'present' && option) {
    for (const [index, line] of sectionLines.entries()) {
      const found = matchOption(option, line, false);
      if (found === undefined) continue;
      if (values.length && values.includes(found)) {
        if (!found && allowNoValue) {
          update(index, `${option}\n`);
          noValuePresent = true;
        } else update(index, assign(option, found));
        values.splice(values.indexOf(found), 1);
      } else if (!values.length && allowNoValue) {
        update(index, `${option}\n`);
        noValuePresent = true;
        break;
      }
    }
  }

  if (state === 'present' && exclusive && !allowNoValue && option) {
    if (values.length) {
      for (const [index, line] of sectionLines.entries()) {
        if (!changedLines[index] && matchOption(option, line, false) !== undefined) {
          update(index, assign(option, values.shift()!));
          if (!values.length) break;
        }
      }
    }
    for (let index = sectionLines.length - 1; index > 0; index--) {
      if (!changedLines[index] && matchOption(option, sectionLines[index]!, false) !== undefined) {
        sectionLines.splice(index, 1);
        changedLines.splice(index, 1);
        changed = true;
        msg = 'option changed';
      }
    }
  }

  if (state === 'present') {
    for (let index = sectionLines.length; index > 0; index--) {
      if (!blankOrComment.test(sectionLines[index - 1]!)) {
        if (option && values.length) {
          sectionLines.splice(index, 0, ...values.map((v) => assign(option, v)));
          msg = 'option added';
          changed = true;
        } else if (option && !values.length && allowNoValue && !noValuePresent) {
          sectionLines.splice(index, 0, `${option}\n`);
          msg = 'option added';
          changed = true;
        }
        break;
      }
    }
  }

  if (state === 'absent') {
    if (option) {
      let kept = sectionLines;
      if (exclusive) kept = sectionLines.filter((l) => matchOption(option, l, true) === undefined);
      else if (values.length)
        kept = sectionLines.filter((l) => {
          const v = matchOption(option, l, true);
          return !(v !== undefined && values.includes(v));
        });
      if (kept.length !== sectionLines.length) {
        changed = true;
        msg = 'option changed';
        sectionLines = kept;
        changedLines = [];
      }
    } else if (sectionLines.length) {
      sectionLines = [];
      msg = 'section removed';
      changed = true;
    }
  }

  const out = [...before, ...sectionLines, ...after];
  out.shift();
  out.pop();
  if (!within && state === 'present') {
    out.push(`[${section}]\n`);
    msg = 'section and option added';
    if (option && values.length) for (const v of values) out.push(assign(option, v));
    else if (option && !values.length && allowNoValue) out.push(`${option}\n`);
    else msg = 'only section added';
    changed = true;
  }
  return { lines: out, changed, msg };
}

/** A file's text as Python's text mode reads its lines: a BOM dropped (utf-8-sig), \r\n and \r as \n. */
export function iniLines(text: string): string[] {
  const t = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  return t.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}
