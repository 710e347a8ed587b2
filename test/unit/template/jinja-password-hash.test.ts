/**
 * `password_hash`, compared with what ansible-core 2.14 (with passlib, as
 * Debian packages it) gives for the same secret, salt and rounds: the
 * expected strings were printed by `ansible.plugins.filter.core.get_encrypted_password`.
 */
import { describe, expect, it } from 'vitest';
import { createTemplateEngine } from '../../../src/template/index.js';

const engine = createTemplateEngine();
const render = (text: string): unknown => engine.renderString(text, {}, { file: 'play.yml', line: 1, col: 1 });

describe('password_hash', () => {
  it.each([
    [
      "{{ 'secret' | password_hash('sha512', 'saltsalt') }}",
      '$6$rounds=656000$saltsalt$Vg7us3Hcq8rplCTNjwvGRwObM2xyfDZZ.XP2YLQ.ii85wAq/psu28uEfoMveNszsQWMgkWRxbZm2mBBlNn3.J0',
    ],
    [
      "{{ 'secret' | password_hash('sha256', 'saltsalt') }}",
      '$5$rounds=535000$saltsalt$VSmVlMm.XSbjLKI0G48ksoE0xc0243La2Jr.EPuau75',
    ],
    [
      "{{ 'secret' | password_hash('sha512', 'saltsalt', rounds=10000) }}",
      '$6$rounds=10000$saltsalt$WowrPBpEDVlCoruBosYlrZycTCx3//TyDHYqEhX9DUHHt0XTztUqzQDDUuvUGRA8aUe9p55hcAxeGcu58sm3u.',
    ],
    [
      "{{ 'secret' | password_hash('sha512', 'saltsalt', rounds=5000) }}",
      '$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1',
    ],
  ])('%s as Ansible gives it', (text, expected) => {
    expect(render(text)).toBe(expected);
  });

  it('without a salt: a random 16-character one, so two hashes differ', () => {
    const a = render("{{ 'secret' | password_hash('sha512', rounds=5000) }}") as string;
    const b = render("{{ 'secret' | password_hash('sha512', rounds=5000) }}") as string;
    expect(a).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    expect(a).not.toBe(b);
  });

  it.each([
    ["{{ 'x' | password_hash('md5', 'salt') }}", /hash type 'md5' is not supported here/],
    ["{{ 'x' | password_hash('sha512', 'saltsaltsaltsaltsalt') }}", /salt too large/],
    ["{{ 'x' | password_hash('sha512', 'bad salt!') }}", /the salt may hold only/],
  ])('%s is an error', (text, message) => {
    expect(() => render(text)).toThrow(message);
  });
});
