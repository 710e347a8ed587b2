/**
 * Hostile values (command substitution, backticks, quotes, `;`, line breaks, spaces, leading dashes, `../`,
 * unicode, very long strings, values of the wrong type) given to uri, systemd / systemd_service / service, setup,
 * reboot, wait_for_connection, package_facts, seboolean and selinux, Ansible vs bosun: the same playbooks on
 * both, the same results, recap, files and registered keys; every playbook ends by counting the marker files an
 * injected command would have made. Light hosts (127.194.0.x) and systemd hosts (127.194.0.1x) for systemd.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterAll, expect } from 'vitest';
import { differentialSuite, type SideRun } from '../helpers/differential.js';
import { testAddress } from '../helpers/sandbox.js';

const HOST = testAddress('127.194.0.50');
const WEB = `http://${HOST}:18601`;

/** /echo answers with what arrived: method, url, the headers the playbook sets, the body. */
function handler(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const answer = {
      method: req.method,
      url: req.url,
      hostile: req.headers['x-hostile'] ?? null,
      authorization: req.headers.authorization ?? null,
      contentType: req.headers['content-type'] ?? null,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  });
}
const web = createServer(handler).listen(18601, HOST);
afterAll(() => void web.close());

/** The marker count the last task of each playbook registers. */
const NO_PWNED = { 'no pwned file': ['stdout'] };
/** A registered value of one task on h1, from one side's events (for keys that differ on purpose). */
function registeredOf(side: SideRun, task: string): Record<string, unknown> | undefined {
  for (const line of side.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { type?: string; task?: string; registered?: unknown; data?: unknown };
    if (e.type === 'task_result' && e.task === task) return (e.registered ?? e.data) as Record<string, unknown>;
  }
  return undefined;
}

/** Each case starts without markers (hosts are shared by the cases of the file, one after another). */
const CLEAN = 'rm -f /tmp/pwned* /root/pwned*';

const light = differentialSuite({ base: '127.194.0.1', slots: 4 });
const booted = differentialSuite({ base: '127.194.0.11', slots: 2, systemd: true });

/** The fake shutdown of the reboot cases: records its arguments, fails; and a boot id. */
const FAKE_SHUTDOWN = [
  'mkdir -p /opt/fake /opt/diff',
  `printf '#!/bin/sh\\nfor a in "$@"; do printf "[%%s]" "$a"; done >> /opt/diff/args\\necho >> /opt/diff/args\\nexit 3\\n' > /opt/fake/shutdown`,
  'chmod +x /opt/fake/shutdown',
  'echo first > /run/bosun-boot',
  CLEAN,
].join('\n');

light.describe('hostile values in more modules: Ansible vs bosun', () => {
  light.case('uri: query, headers, bodies, credentials, methods, dest, creates', 'hostile-modules/uri', {
    setup: CLEAN,
    extraArgs: ['-e', `web=${WEB}`],
    compare: {
      files: '/opt/diff',
      registered: {
        ...Object.fromEntries(
          ['queries', 'headers', 'bodies', 'json bodies', 'credentials', 'methods', 'destinations', 'creates'].map(
            (t) => [t, ['results[].changed', 'results[].failed', 'results[].status', 'results[].json']],
          ),
        ),
        'header with a line break': ['changed', 'failed', 'status'],
        'a path with a space': ['changed', 'failed', 'status'],
        ...NO_PWNED,
      },
    },
  });

  light.case('setup: gather_subset, filter, gather_timeout, fact_path', 'hostile-modules/setup', {
    setup: CLEAN,
    compare: {
      registered: {
        subsets: ['results[].failed', 'results[].msg'],
        'subsets in a list': ['results[].failed', 'results[].msg'],
        filters: ['results[].failed', 'results[].ansible_facts'],
        timeouts: ['results[].failed'],
        'fact path': ['failed', 'ansible_facts'],
        ...NO_PWNED,
      },
    },
  });

  light.case('reboot: wrong types, hostile programs and search paths; no reboot', 'hostile-modules/reboot', {
    setup: FAKE_SHUTDOWN,
    compare: {
      files: '/opt/diff',
      registered: {
        // Ansible raises on these (its words name Python's int() and type checks; its result has no `changed`);
        // bosun refuses naming file:line:col.
        ...Object.fromEntries(
          ['reboot command 1', 'reboot command 2', 'pre reboot delay 2', 'pre reboot delay 3'].map((t) => [
            t,
            ['failed', 'rebooted'],
          ]),
        ),
        'pre reboot delay 4': ['failed', 'changed', 'rebooted'],
        'pre reboot delay 5': ['failed', 'changed', 'rebooted'],
        ...Object.fromEntries(
          ['boot time commands of wrong types', 'test commands of wrong types', 'post reboot delays and timeouts'].map(
            (t) => [t, ['results[].failed', 'results[].changed']],
          ),
        ),
        ...Object.fromEntries(
          ['program 1', 'program 3', 'program 4', 'search path 2', 'search path 3', 'search path 4'].map((t) => [
            t,
            ['failed', 'msg'],
          ]),
        ),
        'boot id unchanged': ['stdout'],
        ...NO_PWNED,
      },
    },
  });

  light.case('reboot: msg reaches shutdown as one literal argument', 'hostile-modules/reboot-msg', {
    setup: FAKE_SHUTDOWN,
    compare: { registered: { messages: ['results[].failed', 'results[].changed'] } },
    check: (r) => {
      expect(registeredOf(r.bosun, 'recorded')?.['stdout']).toBe(
        [
          `[-r][0][it's a "quote"]`,
          '[-r][0][$(touch /tmp/pwned-msg)]',
          '[-r][0][`touch /tmp/pwned-msg2`]',
          '[-r][0][a;touch /tmp/pwned-msg3]',
          '[-r][0][new',
          'line]',
          '[-r][0][--help]',
          '[-r][0][ünïcødé ✓]',
        ].join('\n'),
      );
      // Ansible's shell reads the message between double quotes: its quotes go, `$(...)` and backticks run (the
      // reason bosun differs); `;` stays text there.
      expect(registeredOf(r.ansible, 'recorded')?.['stdout']).toMatch(/\npwned-msg\npwned-msg2$/);
    },
  });

  light.case('wait_for_connection: timeout, delay, sleep, connect_timeout', 'hostile-modules/wait_for_connection', {
    setup: CLEAN,
    compare: {
      registered: {
        ...Object.fromEntries(
          ['timeout', 'delay', 'sleep', 'connect_timeout']
            .flatMap((p) => [1, 2].map((i) => `${p} ${i}`))
            .map((t) => [t, ['failed']]),
        ),
        ...NO_PWNED,
      },
    },
  });

  light.case('package_facts: managers and strategies', 'hostile-modules/package_facts', {
    setup: CLEAN,
    compare: {
      registered: {
        managers: ['results[].failed', 'results[].msg'],
        'managers in a list': ['results[].failed', 'results[].msg'],
        strategies: ['results[].failed'],
        ...NO_PWNED,
      },
    },
  });

  light.case('seboolean and selinux: names, states, policies, config files', 'hostile-modules/selinux', {
    setup: CLEAN,
    compare: {
      registered: {
        ...Object.fromEntries(
          ['boolean names', 'boolean states', 'selinux states', 'selinux policies and files'].map((t) => [
            t,
            ['results[].failed', 'results[].changed'],
          ]),
        ),
        ...NO_PWNED,
      },
    },
  });
});

booted.describe('hostile unit names: Ansible vs bosun', () => {
  booted.case('systemd, systemd_service, service: hostile names and states', 'hostile-modules/systemd', {
    setup: `printf '[Unit]\\nDescription=hostile\\n[Service]\\nExecStart=/bin/sleep infinity\\n' > /etc/systemd/system/bosun-hostile.service
systemctl daemon-reload && systemctl start bosun-hostile.service
${CLEAN}`,
    compare: {
      registered: {
        ...Object.fromEntries(
          ['start', 'enable', 'restart by service', 'mask with a reload'].map((t) => [
            t,
            ['results[].failed', 'results[].changed', 'results[].msg'],
          ]),
        ),
        // Ansible's module crashes on the quote (MODULE FAILURE); bosun says it is not found.
        'a name with quotes': ['failed', 'changed'],
        // bosun refuses a state outside its choices naming file:line:col; Ansible's words differ.
        'hostile state': ['results[].failed', 'results[].changed'],
        'the real unit': ['stdout', 'rc'],
        ...NO_PWNED,
      },
    },
  });
});
