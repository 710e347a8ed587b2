/**
 * debconf and dpkg_selections: debconf-show parsing and comparison as ansible-core 2.14 does it, and hostile
 * package names and answers against a scripted target (one quoted word; the answer is data on stdin).
 */
import { describe, expect, it } from 'vitest';
import { parseDebconfShow } from '../../../src/modules/debconf.js';
import { getModule } from '../../../src/modules/index.js';
import { shq } from '../../../src/util/shell.js';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { FakeConnection } from './fake-connection.js';

const h = new ModuleHarness();

describe('debconf', () => {
  it('reads seen marks and values with colons', () => {
    expect(parseDebconfShow('* a/b: x: y\n  c/d:\n')).toEqual({ 'a/b': 'x: y', 'c/d': '' });
  });

  it('compares booleans without case and writes true/false; a hostile name and answer stay data', async () => {
    const name = "-p '$(touch /tmp/p)'";
    const conn = new FakeConnection([{ match: /debconf-show/, result: { stdout: '  q/b: true\n' } }]);
    const decide = (args: Record<string, unknown>) => getModule('debconf')!.decide({ ...h.context(), conn }, args);
    expect((await decide({ name, question: 'q/b', vtype: 'boolean', value: true })).kind).toBe('ok');
    expect(conn.scripts[0]).toContain(`debconf-show ${shq(name)}`);
    const d = await decide({ name, question: 'q/s', vtype: 'string', value: "a 'b'\n$(id)", unseen: true });
    if (d.kind !== 'change') throw new Error(d.kind);
    expect(d.data).toEqual({ msg: '', current: { 'q/s': "a 'b'\n$(id)" }, previous: { 'q/s': '' } });
    await d.apply();
    expect(conn.scripts.at(-1)).toBe(
      `printf '%s' ${shq(`${name} q/s string a 'b'\n$(id)`)} | debconf-set-selections -u`,
    );
  });

  it('needs question, vtype and value together', async () => {
    const conn = new FakeConnection([]);
    expect(await getModule('debconf')!.decide({ ...h.context(), conn }, { name: 'x', question: 'q' })).toMatchObject({
      kind: 'fail',
      msg: 'parameters are required together: question, vtype, value',
    });
  });
});

describe('dpkg_selections', () => {
  it('not present, then the selection is set through stdin', async () => {
    const conn = new FakeConnection([]);
    const d = await getModule('dpkg_selections')!.decide({ ...h.context(), conn }, { name: '-x y', selection: 'hold' });
    expect(conn.scripts[0]).toContain(`dpkg --get-selections ${shq('-x y')}`);
    if (d.kind !== 'change') throw new Error(d.kind);
    expect(d.data).toEqual({ before: 'not present', after: 'hold' });
    await d.apply();
    expect(conn.scripts[1]).toBe(`printf '%s' ${shq('-x y hold')} | dpkg --set-selections`);
  });
});
