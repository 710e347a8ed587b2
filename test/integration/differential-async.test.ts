/**
 * `async:` / `poll:` and async_status, bosun against ansible-playbook 2.14 (issue 17): polled jobs (their
 * result, a failing one, the limit passed), fire and forget with async_status until/cleanup, loops, check
 * mode and become. Job ids are random: the cases register their shape (digits as N).
 */
import { expect } from 'vitest';
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.186.0.1', slots: 8 });
const command = ['changed', 'failed', 'rc', 'stdout', 'stderr', 'stdout_lines', 'stderr_lines', 'cmd', 'msg'];
const job = ['started', 'finished', 'changed'];
const recap = { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };

suite.describe('async and async_status: Ansible vs bosun', () => {
  suite.case('poll > 0: the result, a failure, the files removed, changed_when', 'async/poll', {
    compare: {
      registered: {
        polled: [...command, ...job],
        'job id shape': ['msg'],
        'polled failure': [...command, ...job],
        'files left': ['stdout'],
        'changed_when over the polled result, async from a template': ['changed', 'stdout', 'finished'],
      },
    },
    check: (r) => {
      expect(r.bosun.registered['job id shape']?.['h1']).toEqual([{ msg: 'jN.N /root/.ansible_async/jN.N' }]);
    },
  });
  suite.case('poll > 0 past the limit: the message, the next task runs', 'async/timeout', {
    compare: {
      registered: {
        'too slow': ['changed', 'failed', 'msg', 'async_result.started', 'async_result.finished'],
        after: ['stdout'],
      },
    },
  });
  suite.case('poll: 0, async_status until finished, status again, cleanup, an unknown job', 'async/fire-and-forget', {
    compare: {
      // The job the run did not wait for writes its file after the run (no tree compare: it may be there or not yet).
      command: 'sleep 3; cat /opt/diff/first /opt/diff/late',
      registered: {
        started: job,
        'job id shape': ['msg'],
        wait: [...command, ...job],
        'status again': [...command, ...job],
        'results file': ['stat.exists'],
        cleanup: ['changed', 'failed', 'started', 'finished', 'stdout'],
        'results file gone': ['stat.exists'],
        'unknown job': ['changed', 'failed', 'msg', 'started', 'finished'],
      },
    },
  });
  suite.case('creates/removes that say no: still a job, polled or read by async_status', 'async/guards', {
    compare: {
      registered: {
        'polled, creates exists': ['changed', 'rc', 'stdout', 'msg', ...job],
        'started, removes missing': job,
        wait: ['changed', 'rc', 'stdout', 'msg', ...job],
      },
    },
  });
  suite.case('script: bosun runs it in the background, Ansible refuses', 'async/script', {
    compare: {
      registered: { 'script async': ['changed', 'failed', 'msg', 'rc', 'stdout', 'finished'] },
      differs: {
        why: "Ansible's script action plugin does not support async; bosun's script is one remote command",
        ansible: {
          results: ['script async|h1|failed (ignored)'],
          recap: { h1: { ...recap, ok: 1, ignored: 1 } },
          registered: {
            'script async': { h1: [{ changed: false, failed: true, msg: 'async is not supported for this task.' }] },
          },
        },
        bosun: {
          results: ['script async|h1|changed'],
          recap: { h1: { ...recap, ok: 1, changed: 1 } },
          registered: {
            'script async': {
              h1: [{ changed: true, failed: false, finished: 1, msg: '', rc: 0, stdout: 'ran one' }],
            },
          },
        },
      },
    },
  });
  suite.case('async in loops: polled items, started items waited for', 'async/loop', {
    compare: {
      registered: {
        'polled items': ['changed', 'results[].stdout', 'results[].finished', 'results[].changed'],
        'started items': ['changed', 'results[].started', 'results[].finished', 'results[].changed'],
        'wait for items': ['changed', 'results[].stdout', 'results[].finished', 'results[].rc'],
      },
    },
  });
  suite.case('--check: async fails, async_status skipped, check_mode: false runs both', 'async/check-mode', {
    extraArgs: ['--check'],
    compare: {
      registered: {
        'async in check mode': ['changed', 'failed', 'msg'],
        'async with check_mode false': job,
        'status in check mode': ['changed', 'skipped', 'msg', 'finished'],
        'status with check_mode false': ['changed', 'finished', 'stdout', 'rc'],
      },
    },
  });
  suite.case('become: the job runs as the become user, in its home', 'async/become', {
    setup: 'id asyncuser >/dev/null 2>&1 || useradd -m asyncuser',
    // Ansible's module files must be readable by the become user (no setfacl on the hosts).
    hostVars: { h1: { ansible_shell_allow_world_readable_temp: true } },
    check: (r) => {
      expect(r.bosun.registered['results file place']?.['h1']).toEqual([
        { msg: '/home/asyncuser/.ansible_async/jN.N' },
      ]);
    },
    compare: {
      registered: {
        'as another user': ['changed', 'stdout', 'finished'],
        'results file place': ['msg'],
        'wait as that user': ['changed', 'stdout', 'finished'],
      },
    },
  });
});
