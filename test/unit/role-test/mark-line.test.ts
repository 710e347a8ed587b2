/** `bosun role test` listings: a failure of several lines (every argument-spec error) keeps all of them (issue 20). */
import { describe, expect, it } from 'vitest';
import { markLine } from '../../../src/role-test/converge.js';

describe('markLine', () => {
  it('keeps every line of the message, indented under the task', () => {
    const msg =
      'Validation of arguments failed:\nmissing required argument: webserver_vhosts[0].name\nwebserver_vhosts[1].port: must be integer';
    expect(markLine({ host: 'h1', task: 'web : Validating arguments', at: 'tasks/main.yml:1', msg })).toBe(
      'h1: web : Validating arguments (tasks/main.yml:1) - Validation of arguments failed:\n' +
        '      missing required argument: webserver_vhosts[0].name\n' +
        '      webserver_vhosts[1].port: must be integer',
    );
    expect(markLine({ host: 'h1', task: 't', at: 'a:1' })).toBe('h1: t (a:1)');
  });
});
