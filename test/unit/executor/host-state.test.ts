import { describe, expect, it } from 'vitest';
import { HostState } from '../../../src/executor/host-state.js';

describe('HostState transitions', () => {
  it('fail: active -> failed, with the task; pending failures (a rescue or always to run) are not failures for good', () => {
    const s = new HostState('h');
    expect(s.active).toBe(true);
    s.fail('t1', true);
    expect(s.status).toEqual({ kind: 'failed', task: 't1', pending: true, reason: 'task' });
    expect(s.failedForGood).toBe(false);
    expect(s.inError).toBe(true);
    s.fail('t2', false);
    expect(s.failedForGood).toBe(true);
  });

  it('rescue: a failed host is active again for its rescue section', () => {
    const s = new HostState('h');
    s.fail('t', true);
    s.rescue();
    expect(s.active).toBe(true);
  });

  it('an unreachable host stays unreachable when a task result says failed', () => {
    const s = new HostState('h');
    s.markUnreachable('refused');
    s.fail('t', false);
    expect(s.status).toEqual({ kind: 'unreachable', reason: 'refused' });
  });

  it('always: the failure is held and put back after the section', () => {
    const s = new HostState('h');
    s.fail('t', false);
    const token = s.suspendFailure();
    expect(s.active).toBe(true);
    token.resume();
    expect(s.status.kind).toBe('failed');
  });

  it('always: clear_host_errors inside the section clears the held failure for good', () => {
    const s = new HostState('h');
    s.fail('t', false);
    const token = s.suspendFailure();
    s.clearErrors();
    token.resume();
    expect(s.active).toBe(true);
  });

  it('always: a new failure inside the section is the one that stays', () => {
    const s = new HostState('h');
    s.fail('body', false);
    const token = s.suspendFailure();
    s.fail('always', false);
    token.resume();
    expect(s.status).toMatchObject({ kind: 'failed', task: 'always' });
  });

  it('always: a host that was not failed is not failed by resume', () => {
    const s = new HostState('h');
    const token = s.suspendFailure();
    token.resume();
    expect(s.active).toBe(true);
  });

  it('clear_host_errors: a failed host is out of the play but not failed; an unreachable one is back (as Ansible)', () => {
    const a = new HostState('a');
    a.fail('t', false);
    a.clearErrors();
    expect(a.status).toEqual({ kind: 'ended', by: 'clear_host_errors' });
    expect(a.inError).toBe(false);
    a.startPlay();
    expect(a.active).toBe(true);
    const b = new HostState('b');
    b.markUnreachable('x');
    b.clearErrors();
    expect(b.active).toBe(true);
  });

  it('end_host / end_play / end_batch last one play; failures outlive it', () => {
    const s = new HostState('h');
    s.end('end_play');
    expect(s.status).toEqual({ kind: 'ended', by: 'end_play' });
    expect(s.inError).toBe(false);
    s.startPlay();
    expect(s.active).toBe(true);
    s.fail('t', false);
    s.startPlay();
    expect(s.status.kind).toBe('failed');
  });

  it('end does not hide a failure', () => {
    const s = new HostState('h');
    s.fail('t', false);
    s.end('end_host');
    expect(s.status.kind).toBe('failed');
  });

  it('any_errors_fatal / max_fail_percentage fail the hosts still running, with the rule as the reason', () => {
    const s = new HostState('h');
    s.failByRule('any_errors_fatal');
    expect(s.status).toEqual({ kind: 'failed', task: '', pending: false, reason: 'any_errors_fatal' });
    const e = new HostState('e');
    e.end('end_host');
    e.failByRule('max_fail_percentage');
    expect(e.status.kind).toBe('ended');
  });
});
