/**
 * lookup() and query(), Ansible vs bosun (issue 16 item 4): the same
 * playbook's registered results for every lookup bosun has, the magic
 * variables, seeded random/shuffle/password, slices and floats. The url
 * lookup reads from a small server (a child process: lookups wait for it
 * synchronously) on 127.149.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect } from 'vitest';
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.149.0.1', slots: 2 });
/** The url_base of the playbook. */
const SERVER = { host: '127.149.0.1', port: 18149 };

const TASKS = [
  'lookups_role : role file',
  'lookups_role : role magic',
  'file',
  'file list',
  'file data',
  'file in text',
  'lazy var',
  'template',
  'env',
  'pipe',
  'vars',
  'varnames',
  'first_found',
  'fileglob',
  'sequence',
  'subelements',
  'dict',
  'indexed',
  'items',
  'hostnames',
  'password',
  'url',
  'url body',
  'errors ignore',
  'random',
  'slices and floats',
  'magic',
];

suite.describe('lookup() and query(): Ansible vs bosun', () => {
  let server: ChildProcess | undefined;
  beforeAll(async () => {
    const script = `
      const s = require('node:http').createServer((req, res) => res.end(req.url === '/lines' ? 'one\\ntwo\\n' : 'other'));
      s.listen(${SERVER.port}, '${SERVER.host}', () => console.log('listening'));`;
    server = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      server!.stdout!.once('data', () => resolve());
      server!.once('exit', (code) => reject(new Error(`the url fixture server ended (${String(code)})`)));
    });
  });
  afterAll(() => {
    server?.kill();
  });

  suite.case('every lookup, registered', 'jinja/lookups', {
    compare: {
      registered: {
        ...Object.fromEntries(TASKS.map((t) => [t, ['msg', 'failed']])),
        'loop over a query': ['results[].msg'],
        'failing lookup': ['failed'],
      },
    },
    check: (r) => {
      // Every task registered something on both sides (a misspelt task name would compare nothing).
      for (const side of [r.ansible, r.bosun])
        expect(Object.keys(side.registered).sort()).toEqual([...TASKS, 'loop over a query', 'failing lookup'].sort());
      expect(r.bosun.registered['file']?.['h1']).toEqual([{ msg: 'Welcome to {{ site }}', failed: false }]);
    },
  });
});
