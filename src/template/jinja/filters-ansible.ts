/**
 * Ansible's filters that draw random numbers or read URLs and paths:
 * `random` (seed, start, step), `shuffle` (seed), `urlsplit`, `expanduser`.
 * A seeded `random`/`shuffle` gives Ansible's own result (Python's Mersenne
 * Twister, src/util/py-random.ts): `seed=inventory_hostname` is stable per host.
 */
import { homedir, userInfo } from 'node:os';
import { PyRandom } from '../../util/py-random.js';
import { isPlainObject } from '../values.js';
import type { FilterFn } from './filters.js';
import { kind, pyText, pyTruthy } from './values.js';

/** Python's Random(seed) for a filter's seed (None: the OS's randomness). */
function generator(seed: unknown): PyRandom {
  if (seed === undefined || seed === null) return PyRandom.system();
  if (typeof seed === 'number' && Number.isInteger(seed)) return PyRandom.seeded(seed);
  if (typeof seed === 'boolean') return PyRandom.seeded(Number(seed));
  if (typeof seed === 'string') return PyRandom.seeded(seed);
  throw new Error(`a seed must be a text or an integer, got ${kind(seed)}`);
}

function sequence(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v as unknown[];
  if (typeof v === 'string') return Array.from(v);
  if (isPlainObject(v)) return Object.keys(v);
  return undefined;
}

/** urllib.parse.urlsplit, with the attributes Ansible's filter gives. */
function urlsplit(url: string): Record<string, unknown> {
  let rest = url;
  let scheme = '';
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (m) {
    scheme = m[1]!.toLowerCase();
    rest = rest.slice(m[0].length);
  }
  let netloc = '';
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, 2 + end);
    rest = end < 0 ? '' : rest.slice(2 + end);
  }
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const at = netloc.lastIndexOf('@');
  const userinfo = at >= 0 ? netloc.slice(0, at) : undefined;
  const hostport = at >= 0 ? netloc.slice(at + 1) : netloc;
  const colon = userinfo?.indexOf(':') ?? -1;
  const username = userinfo === undefined ? null : colon >= 0 ? userinfo.slice(0, colon) : userinfo;
  const password = userinfo === undefined || colon < 0 ? null : userinfo.slice(colon + 1);
  let hostname: string | null;
  let portText: string | undefined;
  const bracket = /^\[([^\]]*)\](?::(.*))?$/.exec(hostport);
  if (bracket) {
    hostname = bracket[1]!;
    portText = bracket[2];
  } else {
    const c = hostport.lastIndexOf(':');
    hostname = c >= 0 ? hostport.slice(0, c) : hostport;
    portText = c >= 0 ? hostport.slice(c + 1) : undefined;
  }
  hostname = hostname === '' ? null : hostname.toLowerCase();
  let port: number | null = null;
  if (portText !== undefined && portText !== '') {
    if (!/^\d+$/.test(portText)) throw new Error(`Port could not be cast to integer value as '${portText}'`);
    port = Number(portText);
    if (port > 65535) throw new Error('Port out of range 0-65535');
  }
  return { fragment, hostname, netloc, password, path: rest, port, query, scheme, username };
}

/** The filters of this file. */
export const ANSIBLE_FILTERS: Record<string, FilterFn> = {
  random: (v, [start, step, seed], kw) => {
    const r = generator(kw['seed'] ?? seed);
    const from = kw['start'] ?? start;
    const by = kw['step'] ?? step;
    if (typeof v === 'number' && Number.isInteger(v)) {
      const s = pyTruthy(from ?? null) ? Number(from) : 0;
      const st = pyTruthy(by ?? null) ? Number(by) : 1;
      if (!Number.isInteger(s) || !Number.isInteger(st)) throw new Error('start and step must be integers');
      return r.randrange(s, v, st);
    }
    const items = sequence(v);
    if (!items) throw new Error('random can only be used on sequences and integers');
    if (pyTruthy(from ?? null) || pyTruthy(by ?? null))
      throw new Error('start and step can only be used with integer values');
    return r.choice(items);
  },
  shuffle: (v, [seed], kw) => {
    const items = sequence(v);
    // Ansible's filter gives back what it cannot shuffle.
    if (!items) return v;
    const s = kw['seed'] ?? seed;
    return (pyTruthy(s ?? null) ? generator(s) : PyRandom.system()).shuffle([...items]);
  },
  urlsplit: (v, [query = ''], kw) => {
    const parts = urlsplit(pyText(v));
    const q = pyText(kw['query'] ?? query);
    if (!q) return parts;
    if (!(q in parts)) throw new Error(`unknown URL component: ${q}`);
    return parts[q];
  },
  expanduser: (v) => {
    const p = pyText(v);
    if (!p.startsWith('~')) return p;
    const slash = p.indexOf('/');
    const user = slash < 0 ? p.slice(1) : p.slice(1, slash);
    const tail = slash < 0 ? '' : p.slice(slash);
    if (user === '') return (process.env['HOME'] ?? homedir()).replace(/\/+$/, '') + tail || '/';
    // ~name: only the controller's own user is known without reading the password database.
    if (user === userInfo().username) return homedir() + tail;
    return p;
  },
};
