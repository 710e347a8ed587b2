/**
 * pip (issue 17), Ansible vs bosun: the same playbook on both, same results, recap, registered keys and the
 * packages read back from the virtualenv. No PyPI here: each host gets a folder of wheels written by
 * test/fixtures/differential/pip/make-index.sh, and the play points pip at it (PIP_NO_INDEX, PIP_FIND_LINKS).
 * Everything is installed into virtualenvs under /opt/diff, never into the system Python. Light hosts
 * 127.187.0.x.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CASES_DIR, differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.187.0.1', slots: 4 });

const dir = path.join(CASES_DIR, 'pip');
const tasks = [
  'venv in check mode',
  'install into a new venv',
  'install again',
  'a pin in check mode',
  'a pin',
  'the pin again in check mode',
  'latest',
  'latest again',
  'a list with specifiers',
  'the list again in check mode',
  'the list again',
  'absent in check mode',
  'absent',
  'absent again',
  'a requirements file',
  'the requirements file again',
  'forcereinstall',
  'extra_args in check mode',
  'extra_args',
  'executable',
  'umask',
  'a missing package',
  'version with latest',
  'executable and virtualenv',
  'version with two packages',
  'a bad umask',
];
const moreTasks = [
  'the system pip removes nothing',
  'executable by name',
  'a relative virtualenv with site packages',
  'the comma string again',
  'two names in one string',
  'two names in one string again in check mode',
  'a missing requirements file',
  'a missing virtualenv command',
  'virtualenv_python with venv',
];
const keys = [
  'changed',
  'failed',
  'msg',
  'cmd',
  'name',
  'version',
  'state',
  'requirements',
  'virtualenv',
  'stdout',
  'stderr',
];

const setup = [
  'set -- /srv/pipidx',
  readFileSync(path.join(dir, 'make-index.sh'), 'utf8'),
  readFileSync(path.join(dir, 'setup.sh'), 'utf8'),
].join('\n');

suite.describe('pip: Ansible vs bosun', () => {
  suite.case('pip: venv, pin, latest, list, absent, requirements, forcereinstall, check mode, failures', 'pip', {
    setup,
    compare: {
      registered: Object.fromEntries(tasks.map((t) => [t, keys])),
      command:
        'cd /opt/diff/venv/lib/python3*/site-packages && stat -c "%n %a" bosun* bosun*/* | sort; /opt/diff/venv/bin/pip list --format=freeze',
    },
  });

  suite.case(
    'pip: the system pip (reads only), executable by name, relative virtualenv, site packages, comma strings, failures',
    'pip-more',
    {
      setup,
      compare: {
        registered: Object.fromEntries(moreTasks.map((t) => [t, keys])),
        command:
          'grep include-system /opt/diff/venv/pyvenv.cfg; ls /opt/diff; /opt/diff/venv/bin/pip list --format=freeze | grep -i bosun',
      },
    },
  );
});
