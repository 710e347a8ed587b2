/**
 * A role test scenario: `tests/<scenario>/scenario.yml` (hosts, groups,
 * vars, check_vars, systemd, mirror) beside `converge.yml` and
 * `verify.yml`, validated with its JSON Schema, with the defaults a role
 * without a tests/ folder gets.
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { BosunError } from '../errors.js';
import { inBlock } from '../sandbox/address.js';
import { validateOrThrow } from '../util/schema.js';
import { loadYamlFile } from '../util/yaml.js';

/** JSON Schema of `tests/<scenario>/scenario.yml` (also served by `bosun schema scenario`). */
export const scenarioSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://bosun.dev/schema/scenario.json',
  title: 'bosun role test scenario',
  type: ['object', 'null'],
  properties: {
    description: { type: 'string', description: 'What this scenario tests, one line.' },
    hosts: {
      description: 'How many sandbox hosts (node01, node02, ...), or their inventory names.',
      anyOf: [
        { type: 'integer', minimum: 1, maximum: 200 },
        { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' }, minItems: 1 },
      ],
    },
    groups: {
      description: 'Inventory groups: group name -> host names (every host is in `all`).',
      type: 'object',
      additionalProperties: { type: 'array', items: { type: 'string' } },
    },
    vars: { type: 'object', description: 'Variables of every host (inventory level: they override role defaults).' },
    check_vars: {
      type: 'object',
      description:
        'Changed inputs for the check-mode step: --check with these must predict exactly what the next converge changes.',
    },
    systemd: { type: 'boolean', description: 'Boot systemd as PID 1 in each host (slower; needed for services).' },
    mirror: {
      type: 'string',
      description:
        'download_mirror for the role: a URL, or a folder (relative to the scenario) served over HTTP on the loopback.',
    },
  },
  additionalProperties: false,
} as const;

/** A scenario, resolved. */
export interface Scenario {
  name: string;
  /** `tests/<scenario>` (may not exist for `default`). */
  dir: string;
  hosts: string[];
  groups: Record<string, string[]>;
  vars: Record<string, unknown>;
  checkVars: Record<string, unknown> | undefined;
  systemd: boolean;
  mirror: string | undefined;
  /** `converge.yml`, or undefined to apply the role with a generated playbook. */
  converge: string | undefined;
  /** `verify.yml`, or undefined (no verify step). */
  verify: string | undefined;
}

/** What the command line overrides. */
export interface ScenarioOverrides {
  hosts?: number;
  systemd?: boolean;
}

/** Host names for a count: node01, node02, ... */
export function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `node${String(i + 1).padStart(2, '0')}`);
}

/** Load `tests/<name>/scenario.yml` of a role (defaults when absent). */
export async function loadScenario(
  roleDir: string,
  name: string,
  overrides: ScenarioOverrides = {},
): Promise<Scenario> {
  const dir = path.join(roleDir, 'tests', name);
  const exists = existsSync(dir) && statSync(dir).isDirectory();
  if (!exists && name !== 'default') {
    throw new BosunError(
      'FILE_NOT_FOUND',
      `role ${path.basename(roleDir)} has no scenario '${name}' (no folder ${dir})`,
      { hint: 'scenarios are folders under tests/, e.g. tests/default/' },
    );
  }
  const file = ['scenario.yml', 'scenario.yaml'].map((f) => path.join(dir, f)).find((f) => existsSync(f));
  let raw: Record<string, unknown> = {};
  if (file) {
    const yaml = await loadYamlFile(file);
    validateOrThrow(scenarioSchema, yaml.value ?? {}, { yaml, what: 'scenario' });
    raw = (yaml.value ?? {}) as Record<string, unknown>;
  }
  const listed = Array.isArray(raw['hosts']) ? (raw['hosts'] as string[]) : undefined;
  const count = overrides.hosts ?? listed?.length ?? (typeof raw['hosts'] === 'number' ? raw['hosts'] : 1);
  const hosts = listed && count <= listed.length ? listed.slice(0, count) : nodeNames(count);
  const groups = (raw['groups'] ?? {}) as Record<string, string[]>;
  for (const [group, members] of Object.entries(groups)) {
    const unknown = members.find((m) => !hosts.includes(m));
    if (unknown)
      throw new BosunError(
        'SCHEMA',
        `scenario group '${group}' names '${unknown}', which is not one of its hosts (${hosts.join(', ')})`,
        file ? { source: { file, line: 1, col: 1 } } : {},
      );
  }
  const pick = (base: string): string | undefined =>
    [`${base}.yml`, `${base}.yaml`].map((f) => path.join(dir, f)).find((f) => existsSync(f));
  return {
    name,
    dir,
    hosts,
    groups,
    vars: (raw['vars'] ?? {}) as Record<string, unknown>,
    checkVars: raw['check_vars'] as Record<string, unknown> | undefined,
    systemd: overrides.systemd ?? raw['systemd'] === true,
    mirror: raw['mirror'] as string | undefined,
    converge: pick('converge'),
    verify: pick('verify'),
  };
}

/**
 * The default first address of a role's test hosts: 127.88.X.1 with X from a hash of the role's path, so role tests
 * running side by side do not collide, moved into the block of BOSUN_SANDBOX_BASE when it is set.
 */
export function roleTestBase(roleDir: string): string {
  let real = roleDir;
  try {
    real = realpathSync(roleDir);
  } catch {
    // a missing folder fails later with a clearer message
  }
  const x = 1 + (createHash('sha256').update(real).digest().readUInt32BE(0) % 254);
  return inBlock(`127.88.${x}.1`);
}

/** What `bosun role init` prints as its next step, and the notes under it. */
export interface RoleTestNext {
  /** `bosun lint DIR && bosun role test DIR`, with `--base 127.B.0.1` when the role's own addresses are taken. */
  command: string;
  notes: string[];
}

/**
 * What `bosun role init` says to do next: lint, then `bosun role test`, as
 * it would run as typed. `--base` is asked for only when needed: no address
 * block chosen (BOSUN_SANDBOX_BASE unset) and port 22 of the first address
 * the role's test hosts would take (`baseTaken`, probed by the caller) is
 * already in use on this machine. Not root: the sandbox hosts need it.
 */
export function roleTestNext(roleDir: string, env: NodeJS.ProcessEnv, uid: number, baseTaken: boolean): RoleTestNext {
  const notes: string[] = [];
  let command = `bosun lint ${roleDir} && bosun role test ${roleDir}`;
  if (uid !== 0) notes.push('role test starts sandbox hosts in namespaces: run it as root');
  if (!env['BOSUN_SANDBOX_BASE'] && baseTaken) {
    command += ' --base 127.B.0.1';
    notes.push(
      `its hosts would listen on ${roleTestBase(roleDir)} and up, where port 22 is already in use on this machine: pick a free block B for --base (or set BOSUN_SANDBOX_BASE)`,
    );
  }
  return { command, notes };
}

/** A sandbox name unique to the role folder and scenario. */
export function roleTestSandboxName(roleDir: string, scenario: string): string {
  const hash = createHash('sha256').update(path.resolve(roleDir)).digest('hex').slice(0, 8);
  const word = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, '_');
  return `role-test-${word(path.basename(roleDir))}-${word(scenario)}-${hash}`;
}
