/**
 * Package, repository and system modules of issue 17 (apt_repository, ...), Ansible vs bosun: the same
 * playbook on both, same results, recap, files and registered keys. Ansible's apt modules need python3-apt
 * on the target, which this machine lacks: its .deb files are fetched once (apt-get download, into
 * .sandbox/debs, which the sandbox hosts see through their overlay of /) and installed on every host first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { afterAll } from 'vitest';
import { CASES_DIR, differentialSuite } from '../helpers/differential.js';

const DEBS = path.resolve('.sandbox/debs');

/** A web server on 127.0.0.1 serving the files of `dir` (the sandbox hosts share this machine's loopback). */
function serveFolder(dir: string): { url: string; close(): void } {
  const server = createServer((req, res) => {
    const file = path.join(dir, path.basename(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!existsSync(file)) res.writeHead(404).end('not found\n');
    else res.writeHead(200).end(readFileSync(file));
  });
  // A fixed port of this file's own block (127.145.x): the URL is written into the playbook's -e before listen ends.
  server.listen(14501, '127.0.0.1');
  return { url: 'http://127.0.0.1:14501', close: () => server.close() };
}

/** Fetch python3-apt and what it needs that this machine lacks; undefined when done, else why not. */
function fetchPythonApt(): string | undefined {
  try {
    mkdirSync(DEBS, { recursive: true });
    if (!readdirSync(DEBS).some((f) => f.startsWith('python3-apt_')))
      execFileSync('apt-get', ['download', 'python3-apt', 'python-apt-common', 'distro-info-data'], {
        cwd: DEBS,
        stdio: 'pipe',
        timeout: 60_000,
      });
    return undefined;
  } catch (e) {
    return `python3-apt (for Ansible's side) could not be fetched: ${(e as Error).message.split('\n')[0]}`;
  }
}

const aptMissing = existsSync('/usr/bin/ansible-playbook') ? fetchPythonApt() : undefined;
/** Install python3-apt on a host (for Ansible), and remove what earlier cases left in sources.list.d. */
const withPythonApt = `dpkg -i ${DEBS}/*.deb >/dev/null 2>&1 || echo 'python3-apt did not install' >&2
rm -f /etc/apt/sources.list.d/diff* /etc/apt/sources.list.d/-diff* /tmp/pwned ~/pwned`;

const suite = differentialSuite({ base: '127.145.0.1', slots: 2 });

suite.describe('package and system modules: Ansible vs bosun', () => {
  const repoTasks = [
    'add a repo',
    'the same again',
    'other spacing',
    'filename and mode',
    'options and credentials',
    'enable the disabled line',
    'remove one of two',
    'remove the last line',
    'absent again',
    'a comment after the line',
    'not a source line',
    'a commented-out repo',
    'an empty repo',
    'a hostile file name',
    'a line with a line break',
    'check mode',
    'absent in check mode',
  ];
  suite.case(
    'apt_repository: add, enable, remove, filename, mode, invalid lines, check mode',
    'modules/apt_repository',
    {
      setup: withPythonApt,
      ...(aptMissing ? { gap: aptMissing } : {}),
      compare: {
        files: '/etc/apt/sources.list.d',
        registered: {
          ...Object.fromEntries(repoTasks.map((t) => [t, ['changed', 'failed', 'msg', 'repo', 'state']])),
          'no pwned file': ['stdout'],
        },
      },
    },
  );

  suite.case(
    'apt_repository: update_cache with a file:// repository, and a failing update',
    'modules/apt_repository/update',
    {
      setup: withPythonApt,
      ...(aptMissing ? { gap: aptMissing } : {}),
      compare: {
        files: '/etc/apt/sources.list.d',
        registered: {
          'add it and update': ['changed', 'failed', 'repo', 'state'],
          'the list is there': ['stdout'],
          'a repository that is not there': ['changed', 'failed'],
        },
      },
    },
  );

  const keyTasks = [
    'add from a file',
    'the same again',
    'with its id',
    'from a url into a keyring',
    'url again with a short id',
    'remove by short id',
    'remove by long id',
    'absent again',
    'a bad id',
    'not hex',
    'a missing file',
    'in check mode',
    'from data',
  ];
  const keyDir = path.resolve(CASES_DIR, 'modules/apt_key');
  const keyServer = serveFolder(keyDir);
  afterAll(() => keyServer.close());
  suite.case('apt_key: file, data, url, keyring, ids long and short, absent, bad ids, check mode', 'modules/apt_key', {
    extraArgs: ['-e', `key_url=${keyServer.url}`],
    setup: `mkdir -p /opt/diff && cp ${keyDir}/one.asc ${keyDir}/two.asc /opt/diff/ && rm -f /etc/apt/trusted.gpg /etc/apt/trusted.gpg~`,
    compare: {
      registered: Object.fromEntries(
        keyTasks.map((t) => [t, ['changed', 'failed', 'msg', 'id', 'short_id', 'fp', 'key_id', 'before', 'after']]),
      ),
    },
  });

  const debconfTasks = [
    'read answers',
    'set a boolean',
    'the same as a string',
    'a select unseen',
    'a string with quotes',
  ];
  suite.case(
    'debconf: read, boolean, select, unseen, quotes, missing vtype, unknown package, check mode',
    'modules/debconf',
    {
      compare: {
        registered: {
          ...Object.fromEntries(
            [...debconfTasks, 'a string again', 'no vtype', 'unknown package', 'in check mode'].map((t) => [
              t,
              ['changed', 'failed', 'msg', 'current', 'previous'],
            ]),
          ),
          'answers now': ['stdout'],
        },
      },
    },
  );

  const selectionTasks = [
    'hold',
    'hold again',
    'install',
    'deinstall',
    'unknown package',
    'hostile name',
    'in check mode',
  ];
  suite.case(
    'dpkg_selections: hold, install, deinstall, unknown and hostile names, check mode',
    'modules/dpkg_selections',
    {
      setup: 'rm -f /tmp/pwned',
      compare: {
        registered: {
          ...Object.fromEntries(selectionTasks.map((t) => [t, ['changed', 'failed', 'msg', 'before', 'after']])),
          'selections now': ['stdout'],
        },
      },
    },
  );

  // python-apt's cache also gives each package its archive's `origin`, which dpkg-query has not: not compared.
  const pkgKeys = ['tzdata', 'libc6', 'python3-apt', 'openssh-server'].flatMap((p) =>
    ['name', 'version', 'arch', 'category', 'source'].map((k) => `ansible_facts.packages.${p}[].${k}`),
  );
  suite.case('package_facts: auto, apt, all, rpm missing, unknown manager, check mode', 'modules/package_facts', {
    setup: withPythonApt,
    ...(aptMissing ? { gap: aptMissing } : {}),
    compare: {
      registered: Object.fromEntries(
        ['auto', 'apt by name', 'all managers', 'rpm absent', 'unknown manager', 'in check mode'].map((t) => [
          t,
          ['changed', 'failed', 'msg', 'warnings', ...pkgKeys],
        ]),
      ),
    },
  });
});
