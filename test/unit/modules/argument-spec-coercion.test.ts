import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { coerceBySpec } from '../../../src/modules/lib/argument-spec.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

// ansible-core 2.14's argument-spec type checks convert before they judge (module_utils/common/validation.py).
describe('argument specs convert values the way Ansible checks them', () => {
  const spec = {
    port: { type: 'int' },
    ratio: { type: 'float' },
    flag: { type: 'bool' },
    names: { type: 'list', elements: 'str' },
    ports: { type: 'list', elements: 'int' },
    label: { type: 'str' },
    conf: { type: 'dict', options: { size: { type: 'int' } } },
  };
  const cases: Array<{ values: Record<string, unknown>; want: Record<string, unknown> }> = [
    { values: { port: '8090' }, want: { port: 8090 } },
    { values: { port: ' -3 ' }, want: { port: -3 } },
    { values: { port: 2.0 }, want: { port: 2 } },
    { values: { ratio: '0.5' }, want: { ratio: 0.5 } },
    { values: { flag: 'false' }, want: { flag: false } },
    { values: { flag: 'Yes' }, want: { flag: true } },
    { values: { flag: 0 }, want: { flag: false } },
    { values: { names: 'a,b' }, want: { names: ['a', 'b'] } },
    { values: { names: 7 }, want: { names: ['7'] } },
    { values: { ports: ['1', 2] }, want: { ports: [1, 2] } },
    { values: { label: 42 }, want: { label: '42' } },
    { values: { label: true }, want: { label: 'True' } },
    { values: { conf: '{"size": "3"}' }, want: { conf: { size: 3 } } },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.values)} -> ${JSON.stringify(c.want)}`, () => {
      expect(coerceBySpec(spec, c.values)).toEqual(c.want);
    });
  }

  it('what does not convert stays as given (the schema then says why)', () => {
    expect(coerceBySpec(spec, { port: 'eighty', flag: 'maybe', label: ['x'] })).toEqual({
      port: 'eighty',
      flag: 'maybe',
      label: ['x'],
    });
  });

  it('validate_argument_spec passes -e strings that convert, and fails those that do not', async () => {
    const argument_spec = {
      port: { type: 'int', required: true },
      flag: { type: 'bool' },
      names: { type: 'list', elements: 'str' },
    };
    const ok = await h.run('validate_argument_spec', {
      argument_spec,
      provided_arguments: { port: '8090', flag: 'false', names: 'a,b' },
    });
    expect(ok.failed).toBe(false);
    const bad = await h.run('validate_argument_spec', {
      argument_spec,
      provided_arguments: { port: 'eighty', flag: 'maybe' },
    });
    expect(bad.failed).toBe(true);
    expect(bad.data['argument_errors']).toEqual(['port: must be integer', 'flag: must be boolean']);
  });

  it('every error of a nested spec, each with its path as a variable is written (issue 20)', async () => {
    const argument_spec = {
      webserver_vhosts: {
        type: 'list',
        elements: 'dict',
        options: { name: { type: 'str', required: true }, port: { type: 'int' } },
      },
      webserver_user: { type: 'str', required: true },
    };
    const bad = await h.run('validate_argument_spec', {
      argument_spec,
      provided_arguments: { webserver_vhosts: [{ port: 80 }, { name: 'b', port: 'http' }] },
    });
    expect(bad.failed).toBe(true);
    expect([...(bad.data['argument_errors'] as string[])].sort()).toEqual([
      'missing required argument: webserver_user',
      'missing required argument: webserver_vhosts[0].name',
      'webserver_vhosts[1].port: must be integer',
    ]);
    expect(bad.msg?.split('\n')).toHaveLength(4);
  });
});
