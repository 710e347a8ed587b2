/**
 * iptables: the rule's words in Ansible's construct_rule order (flags, negation, implied matches, LOG and
 * REJECT), and the schema's refusals. The rules themselves are checked for real by the differential case.
 */
import { describe, expect, it } from 'vitest';
import { constructRule, ruleParams } from '../../../src/modules/iptables.js';

const rule = (a: Parameters<typeof ruleParams>[0]): string => constructRule(ruleParams(a)).join(' ');

describe('iptables rule words', () => {
  it('puts the arguments in Ansible order', () => {
    expect(rule({ chain: 'INPUT', protocol: 'tcp', destination_port: 22, jump: 'ACCEPT' })).toBe(
      '-p tcp -j ACCEPT --destination-port 22',
    );
    expect(
      rule({
        protocol: 'tcp',
        source: '!192.0.2.1',
        in_interface: 'lo',
        match: ['tcp', 'conntrack'],
        ctstate: ['NEW', 'ESTABLISHED'],
        destination_ports: ['80', '443'],
        syn: 'match',
        limit: '10/second',
        limit_burst: 20,
        jump: 'ACCEPT',
        comment: 'web',
      }),
    ).toBe(
      '-p tcp ! -s 192.0.2.1 -m tcp -m conntrack -j ACCEPT -m multiport --dports 80,443 -i lo --syn --ctstate NEW,ESTABLISHED -m limit --limit 10/second --limit-burst 20 -m comment --comment web',
    );
  });

  it('adds the matches and targets the arguments imply', () => {
    expect(rule({ ctstate: 'NEW,RELATED' })).toBe('-m conntrack --ctstate NEW,RELATED');
    expect(rule({ match: ['state'], ctstate: ['NEW'] })).toBe('-m state --state NEW');
    expect(rule({ uid_owner: '0' })).toBe('-m owner --uid-owner 0');
    expect(rule({ uid_owner: '!0' })).toBe('-m owner ! --uid-owner 0');
    expect(rule({ reject_with: 'tcp-reset' })).toBe('-j REJECT --reject-with tcp-reset');
    expect(rule({ icmp_type: 'echo-request', ip_version: 'ipv6' })).toBe('--icmpv6-type echo-request');
    expect(rule({ src_range: '10.0.0.1-10.0.0.9' })).toBe('-m iprange --src-range 10.0.0.1-10.0.0.9');
    expect(rule({ tcp_flags: { flags: ['ALL'], flags_set: ['ACK', 'SYN'] } })).toBe('--tcp-flags ALL ACK,SYN');
    expect(rule({ jump: 'TEE', gateway: '192.0.2.9' })).toBe('-j TEE --gateway 192.0.2.9');
    expect(rule({ syn: 'negate' })).toBe('! --syn');
    expect(rule({})).toBe('');
  });

  it('keeps a hostile value one word', () => {
    const words = constructRule(ruleParams({ comment: "it's $(touch x) `y`; z" }));
    expect(words).toEqual(['-m', 'comment', '--comment', "it's $(touch x) `y`; z"]);
  });
});
