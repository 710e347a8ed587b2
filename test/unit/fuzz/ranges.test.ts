/**
 * Generated host ranges. Valid-looking names are expanded by bosun and by
 * Ansible's own `expand_hostname_range` (one /usr/bin/python3 process for the whole
 * sample) and must agree: the same hosts in the same order, or an error from
 * both. Arbitrary bracket soup and huge bounds must give a list within the
 * limit or an INVENTORY error pointing into the name, quickly and without
 * expanding anything first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { DEFAULT_MAX_HOST_RANGE, expandHostRange } from '../../../src/inventory/ranges.js';

const RUNS = Number(process.env['BOSUN_FUZZ_RUNS'] ?? 1500);
const ANSIBLE_PY = '/usr/lib/python3/dist-packages/ansible/plugins/inventory/__init__.py';
const at = { file: 'hosts.ini', line: 7, col: 3 };

/** What bosun makes of a name: its hosts, or the fact that it is an error. */
function bosun(name: string): string[] | 'error' {
  try {
    return expandHostRange(name, at);
  } catch (e) {
    if (!(e instanceof BosunError)) throw e;
    return 'error';
  }
}

/**
 * A numeric range whose begin is above its end: Ansible makes no hosts of it, bosun says it is an
 * error (docs/ansible-differences.md, "Limits bosun sets on purpose").
 */
function descending(n: string): boolean {
  return [...n.matchAll(/\[([0-9]*):([0-9]+)(?::[0-9]+)?\]/g)].some((m) => Number(m[1] || '0') > Number(m[2]));
}

const literal = fc.stringMatching(/^[a-z.-]{0,3}$/);
const digits = (max: number): fc.Arbitrary<string> => fc.integer({ min: 0, max }).map(String);
/** A numeric range, sometimes zero-padded (both ends of one width, or a width mismatch now and then). */
const numeric = fc
  .tuple(digits(25), fc.integer({ min: 0, max: 12 }), fc.constantFrom(0, 0, 2, 3), fc.boolean(), fc.option(digits(4)))
  .map(([beg, span, pad, mismatch, step]) => {
    const end = String(Number(beg) + span);
    const width = pad === 0 ? 0 : Math.max(pad, end.length);
    const b = width ? beg.padStart(width, '0') : beg;
    const e = width ? end.padStart(mismatch ? width + 1 : width, '0') : end;
    return step === null ? `[${b}:${e}]` : `[${b}:${e}:${step}]`;
  });
const letter = fc.constantFrom(...'abcdefxyzABCXYZ'.split(''));
const letters = fc
  .tuple(letter, letter, fc.option(fc.integer({ min: 1, max: 4 })))
  .map(([b, e, step]) => (step === null ? `[${b}:${e}]` : `[${b}:${e}:${step}]`));
/** Shapes that both tools must refuse. */
const broken = fc.constantFrom('[1]', '[1:]', '[1:2:3:4]', '[a:5]', '[3:1]', '[c:a]', '[01:5]', '[x:y:0]', '[1:b]');
const name = fc
  .array(fc.tuple(literal, fc.oneof({ weight: 4, arbitrary: numeric }, { weight: 2, arbitrary: letters }, broken)), {
    minLength: 1,
    maxLength: 3,
  })
  .chain((segments) => literal.map((tail) => segments.map(([head, range]) => head + range).join('') + tail));

describe('generated host ranges', () => {
  it.skipIf(!existsSync(ANSIBLE_PY))("expand as Ansible's expand_hostname_range does", () => {
    const names = [...new Set(fc.sample(name, { numRuns: Math.min(RUNS, 2000), seed: 20261202 }))];
    const script = [
      'import json, sys',
      'from ansible.plugins.inventory import expand_hostname_range',
      'out = []',
      'for name in json.load(sys.stdin):',
      '    try:',
      '        out.append(expand_hostname_range(name))',
      '    except Exception:',
      "        out.append('error')",
      'print(json.dumps(out))',
    ].join('\n');
    const ansible = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(names), encoding: 'utf8' }),
    ) as Array<string[] | 'error'>;
    const disagreements = names
      .map((n, i) => ({ name: n, ansible: ansible[i], bosun: bosun(n) }))
      .filter((r) => JSON.stringify(r.ansible) !== JSON.stringify(r.bosun))
      .filter((r) => !(descending(r.name) && r.bosun === 'error' && r.ansible?.length === 0));
    expect(disagreements.slice(0, 5)).toEqual([]);
    // The sample covers both outcomes, so the comparison means something.
    expect(ansible.filter((r) => r === 'error').length).toBeGreaterThan(names.length / 20);
    expect(ansible.filter((r) => r !== 'error').length).toBeGreaterThan(names.length / 4);
  });

  it('bracket soup gives hosts within the limit or an INVENTORY error inside the name', () => {
    const soup = fc.stringMatching(/^[a-z0-9:[\]-]{0,16}$/);
    fc.assert(
      fc.property(soup, (n) => {
        try {
          const hosts = expandHostRange(n, at);
          expect(hosts.length).toBeGreaterThan(0);
          expect(hosts.length).toBeLessThanOrEqual(DEFAULT_MAX_HOST_RANGE);
          for (const h of hosts) expect(h).not.toMatch(/[[\]]/);
        } catch (e) {
          expect(e).toBeInstanceOf(BosunError);
          const err = e as BosunError;
          expect(err.code).toBe('INVENTORY');
          expect(err.source?.line).toBe(at.line);
          expect(err.source!.col).toBeGreaterThanOrEqual(at.col);
          expect(err.source!.col).toBeLessThan(at.col + n.length);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('huge bounds (up to 10^40 hosts) are refused at the range that crosses the limit, before anything is expanded', () => {
    const big = fc.bigInt({ min: 10n ** 4n, max: 10n ** 40n }).map(String);
    fc.assert(
      fc.property(literal, big, fc.option(big), (head, end, second) => {
        const n = `${head}[0:${end}]${second === null ? '' : `x[1:${second}]`}`;
        let err: unknown;
        try {
          expandHostRange(n, at);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(BosunError);
        expect((err as BosunError).message).toMatch(/more than the limit of 10000/);
        expect((err as BosunError).source).toEqual({ ...at, col: at.col + head.length });
      }),
      { numRuns: RUNS },
    );
  });
});
