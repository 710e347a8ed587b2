/**
 * Reading a text file of the user's on the controller (a template): the
 * operating system's refusals and bytes that are not UTF-8 are errors that
 * say which file and what to do, not crashes or silently replaced characters.
 */
import { promises as fs } from 'node:fs';
import { BosunError, failOnController, firstNonUtf8, rememberSource, type SourcePos } from '../../errors.js';

/** The UTF-8 text of `file` (shown as `name`); `source` is the task, for errors the file cannot be blamed for. */
export async function readControllerText(file: string, name: string, source: SourcePos): Promise<string> {
  const st = await fs.stat(file).catch(failOnController(`cannot read ${name}`, { source }));
  if (st.isDirectory()) {
    throw new BosunError('CONTROLLER_FILE', `cannot read ${name} on the controller: it is a folder, not a file`, {
      source,
      hint: 'give one file; to copy a folder use copy, or loop over with_fileglob',
    });
  }
  const bytes = await fs.readFile(file).catch(failOnController(`cannot read ${name}`, { source }));
  const bad = firstNonUtf8(bytes);
  if (bad) {
    // The excerpt under the error shows the line, with the bad byte replaced.
    rememberSource(file, bytes.toString('utf8'));
    throw new BosunError(
      'ENCODING',
      `${name} is not UTF-8 text: byte 0x${bad.byte.toString(16).padStart(2, '0')} at line ${bad.line}, column ${bad.col}`,
      {
        source: { file, line: bad.line, col: bad.col },
        hint: `convert it to UTF-8 (for example: iconv -f latin1 -t utf-8 ${file}), or use copy for a file that is not a template`,
      },
    );
  }
  return bytes.toString('utf8');
}
