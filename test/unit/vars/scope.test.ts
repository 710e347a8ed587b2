import { describe, expect, it } from 'vitest';
import { VAR_LEVELS, VarScope, type VarLayer, type VarLevel } from '../../../src/vars/scope.js';

const layer = (level: VarLevel, values: Record<string, unknown>, source: string = level): VarLayer => ({
  level,
  source,
  values,
});

describe('VarScope.mergeWith', () => {
  const base = new VarScope([
    layer('play_vars', { x: 'play', p: 'play' }),
    layer('role_defaults', { x: 'default', d: 'default' }),
    layer('inventory_host', { x: 'inventory', i: 'inventory' }),
    layer('role_vars', { x: 'role', r: 'role' }),
  ]);

  const cases: Array<{ name: string; extra: VarLayer[]; x: unknown }> = [
    { name: 'no extra layers: the scope alone', extra: [], x: 'role' },
    { name: 'facts sit below play vars', extra: [layer('facts', { x: 'facts', f: 1 })], x: 'role' },
    { name: 'task vars above role vars', extra: [layer('task_vars', { x: 'task' })], x: 'task' },
    {
      name: 'set_fact above task vars, whatever the order given',
      extra: [layer('set_fact', { x: 'set_fact' }), layer('task_vars', { x: 'task' })],
      x: 'set_fact',
    },
    {
      name: 'extra vars above everything',
      extra: [
        layer('extra_vars', { x: 'extra' }),
        layer('set_fact', { x: 'set_fact' }),
        layer('include_params', { x: 'include' }),
      ],
      x: 'extra',
    },
    {
      name: "an extra layer of a scope level goes after the scope's own",
      extra: [layer('role_vars', { x: 'own role' })],
      x: 'own role',
    },
    {
      name: 'an extra role default stays below inventory',
      extra: [layer('role_defaults', { x: 'own default' })],
      x: 'role',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const merged = base.mergeWith(c.extra);
      expect(merged['x']).toEqual(c.x);
      expect(merged).toEqual(base.with(...c.extra).toObject());
      expect(Object.keys(merged)).toEqual(Object.keys(base.with(...c.extra).toObject()));
    });
  }

  it('gives the same result as with().toObject() for every mix of levels, call after call', () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const randomLayer = (tag: string): VarLayer => {
      const values: Record<string, unknown> = {};
      for (let k = 0; k < 1 + rand(3); k++) values[`k${rand(6)}`] = `${tag}.${k}`;
      return layer(VAR_LEVELS[rand(VAR_LEVELS.length)]!, values, tag);
    };
    for (let s = 0; s < 30; s++) {
      const scope = new VarScope(Array.from({ length: rand(8) }, (_, i) => randomLayer(`s${s}.${i}`)));
      for (let call = 0; call < 5; call++) {
        const extra = Array.from({ length: rand(6) }, (_, i) => randomLayer(`e${s}.${call}.${i}`));
        expect(scope.mergeWith(extra)).toEqual(scope.with(...extra).toObject());
      }
    }
  });

  it('returns a new object each time, and sees a layer changed in place between calls', () => {
    const runtime: Record<string, unknown> = {};
    const first = base.mergeWith([layer('set_fact', runtime)]);
    first['x'] = 'changed by the caller';
    runtime['reg'] = { rc: 0 };
    const second = base.mergeWith([layer('set_fact', runtime)]);
    expect(second['x']).toBe('role');
    expect(second['reg']).toEqual({ rc: 0 });
  });

  it('keeps a variable named __proto__ from changing the prototype of the result', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "y": 1}') as Record<string, unknown>;
    const merged = base.mergeWith([layer('task_vars', { z: 1 }), layer('extra_vars', hostile)]);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(merged['polluted']).toBeUndefined();
    expect(merged['y']).toBe(1);
    for (const scope of [new VarScope(), base]) {
      const alone = scope.mergeWith([layer('set_fact', hostile)]);
      expect(alone).toEqual(scope.with(layer('set_fact', hostile)).toObject());
      expect(Object.keys(alone)).toEqual(Object.keys({ ...scope.with(layer('set_fact', hostile)).toObject() }));
      expect(Object.getPrototypeOf(alone)).toBe(Object.prototype);
    }
  });
});
