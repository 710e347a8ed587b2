/** command-instead-of-module: programs a module handles, free-form, cmd:, argv, behind sudo or a path. */
import { playbook, ruleTests } from '../rule-tester.js';

const task = (body: string): { 'site.yml': string } => ({
  'site.yml': playbook(`    - name: T\n${body}\n      changed_when: false`),
});

ruleTests('command-instead-of-module', {
  valid: [
    { name: 'a program no module covers', files: task('      command: kubeadm init') },
    { name: 'shell with a pipeline of other programs', files: task('      shell: "journalctl -u x | tail -n 5"') },
    {
      name: 'the apt module itself',
      files: { 'site.yml': playbook('    - name: T\n      apt: { name: curl, state: present }') },
    },
  ],
  invalid: [
    {
      name: 'free-form apt-get',
      files: task('      command: apt-get install -y curl'),
      findings: ['site.yml:6:16'],
      message: "runs 'apt-get': use the apt module",
    },
    {
      name: 'cmd: systemctl',
      files: task('      shell:\n        cmd: systemctl restart containerd'),
      findings: ['site.yml:7:9'],
      message: 'systemd',
    },
    {
      name: 'argv with a path',
      files: task('      command:\n        argv: [/usr/bin/curl, -o, /tmp/x, https://example.com]'),
      findings: ['site.yml:7:9'],
      message: 'get_url',
    },
    {
      name: 'sudo mkdir',
      files: task('      command: sudo mkdir -p /opt/x'),
      findings: ['site.yml:6:16'],
      message: 'file (state: directory)',
    },
  ],
});
