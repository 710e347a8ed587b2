import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness, snapshot } from '../../helpers/module-harness.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

const vars = { server_name: 'web1', port: 8080 };

describe('template', () => {
  it('renders with the host vars, then is unchanged; check mode predicts', async () => {
    const dest = h.path('site.conf');
    const check = await h.run(
      'template',
      { src: 'site.conf.hbs', dest, mode: '0640' },
      { check: true, diff: true, vars },
    );
    expect(check.changed).toBe(true);
    expect(check.diff[0]).toEqual({ path: dest, before: '', after: 'server web1\nport 8080\n' });
    expect(await snapshot(dest)).toEqual({ bytes: null, mode: null });
    const first = await h.run('template', { src: 'site.conf.hbs', dest, mode: '0640' }, { vars });
    expect(first.changed).toBe(true);
    expect(await fs.readFile(dest, 'utf8')).toBe('server web1\nport 8080\n');
    expect((await fs.stat(dest)).mode & 0o777).toBe(0o640);
    expect(first.data).toMatchObject({ dest, mode: '0640', state: 'file', size: 22 });
    // Ansible registers the template's temporary copy on the target as src: bosun registers none (docs/ansible-differences.md).
    expect(first.data).not.toHaveProperty('src');
    expect((await h.run('template', { src: 'site.conf.hbs', dest, mode: '0640' }, { vars })).changed).toBe(false);
  });

  it('a changed variable changes the file, with the diff', async () => {
    const dest = h.path('site.conf');
    await h.run('template', { src: 'site.conf.hbs', dest }, { vars });
    const r = await h.run('template', { src: 'site.conf.hbs', dest }, { vars: { ...vars, port: 81 }, diff: true });
    expect(r.changed).toBe(true);
    expect(r.diff[0]).toMatchObject({ before: 'server web1\nport 8080\n', after: 'server web1\nport 81\n' });
  });

  it('an undefined variable is an error naming it', async () => {
    await expect(h.run('template', { src: 'site.conf.hbs', dest: h.path('x') }, { vars: { port: 1 } })).rejects.toThrow(
      /server_name/,
    );
  });

  it('a missing template fails', async () => {
    const r = await h.run('template', { src: 'nope.hbs', dest: h.path('x') });
    expect(r).toMatchObject({ failed: true });
    expect(r.msg).toContain("Could not find or access 'nope.hbs'");
  });
});
