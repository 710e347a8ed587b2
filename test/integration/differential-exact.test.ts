/**
 * Exactness of the modules bosun has (issue 17), Ansible vs bosun: the same
 * playbook on both, same results, recap, files and the registered keys roles
 * read. Each case names what it found different from Ansible 2.14 (command and shell:
 * differential-exact-modules.test.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CASES_DIR, differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.114.0.1', slots: 4 });

/** The names of the tasks of a case's playbook that register a value. */
function registeringTasks(caseDir: string): string[] {
  const plays = parse(readFileSync(path.join(CASES_DIR, caseDir, 'playbook.yml'), 'utf8')) as Array<{
    tasks: Array<{ name: string; register?: string }>;
  }>;
  return plays.flatMap((p) => p.tasks.filter((t) => t.register !== undefined).map((t) => t.name));
}

/** The same keys compared for every registering task of a case. */
function sameKeys(caseDir: string, keys: string[]): Record<string, string[]> {
  return Object.fromEntries(registeringTasks(caseDir).map((t) => [t, keys]));
}

suite.describe('exactness of existing modules: Ansible vs bosun', () => {
  suite.case(
    'file: mode through a symlink, recurse with follow, hard link into a folder, special bits, check mode owners, dash values',
    'exact/file',
    {
      compare: {
        files: '/opt/diff',
        registered: {
          ...sameKeys('exact/file', ['changed', 'failed', 'mode', 'state', 'path', 'dest', 'src', 'uid']),
          // A refused argument: Ansible's lookup failure carries the path's stat, bosun's refusal only the message.
          'owner with a dash': ['changed', 'failed'],
          'group with a dash': ['changed', 'failed'],
        },
      },
    },
  );

  suite.case(
    'lineinfile, blockinfile, replace: validate without %s, failing and passing validate, registered diff and warnings',
    'exact/text-validate',
    {
      extraArgs: ['--diff'],
      compare: {
        files: '/opt/diff',
        registered: sameKeys('exact/text-validate', ['changed', 'failed', 'msg', 'diff', 'warnings', 'backup']),
      },
    },
  );
});
