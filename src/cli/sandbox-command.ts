/**
 * `bosun sandbox up|down|stop|start|status`: throwaway local test hosts.
 */
import type { Command } from '@commander-js/extra-typings';
import { positiveInt, type CliContext } from './context.js';

/** Register `bosun sandbox`. */
export function registerSandbox(program: Command, { io, setExit }: CliContext): void {
  const sandbox = program
    .command('sandbox')
    .description('throwaway local test hosts: real sshd (and systemd) on 127.0.0.0/8 (root, Linux)');
  sandbox
    .command('up')
    .description('start N sandbox hosts and write an inventory and known_hosts for them')
    .argument('<count>', 'number of hosts', positiveInt)
    .option('--systemd', 'boot systemd as PID 1 in each host', false)
    .option('--base <address>', 'address of the first host (127.x.y.z; default $BOSUN_SANDBOX_BASE, else 127.77.0.1)')
    .option('--name <name>', 'sandbox name (several can run side by side)', 'default')
    .option('--state-dir <dir>', 'where the sandbox keeps its files')
    .option('--group <group>', 'inventory group of the hosts', 'sandbox')
    .action(async (count, o) => {
      const { ensureSshd, sandboxUp } = await import('../sandbox/index.js');
      await ensureSshd();
      const sb = await sandboxUp({
        count,
        systemd: o.systemd,
        name: o.name,
        group: o.group,
        ...(o.base ? { base: o.base } : {}),
        ...(o.stateDir ? { stateDir: o.stateDir } : {}),
      });
      io.out(`started ${sb.hosts.length} host(s): ${sb.hosts.map((h) => `${h.name}=${h.address}`).join(' ')}\n`);
      io.out(`inventory: ${sb.inventoryFile}\nknown_hosts: ${sb.knownHostsFile}\n`);
      io.out(
        `try: bosun run PLAYBOOK -i ${sb.inventoryFile}\nstop: bosun sandbox down${o.name === 'default' ? '' : ` --name ${o.name}`}\n`,
      );
      setExit(0);
    });
  sandbox
    .command('down')
    .description('stop the sandbox hosts and remove their files')
    .option('--name <name>', 'sandbox name', 'default')
    .option('--state-dir <dir>', 'where the sandbox keeps its files')
    .action(async (o) => {
      const { sandboxDown } = await import('../sandbox/index.js');
      const n = await sandboxDown(refOf(o));
      io.out(`stopped ${n} host(s)\n`);
      setExit(0);
    });
  for (const [verb, what] of [
    ['stop', 'stop one host (its files stay; bosun then finds it unreachable)'],
    ['start', 'start a stopped host again, with its files'],
  ] as const) {
    sandbox
      .command(verb)
      .description(what)
      .argument('<host>', 'host name (node03) or address')
      .option('--name <name>', 'sandbox name', 'default')
      .option('--state-dir <dir>', 'where the sandbox keeps its files')
      .action(async (host, o) => {
        const sb = await import('../sandbox/index.js');
        const did =
          verb === 'stop' ? await sb.sandboxStopHost(refOf(o), host) : await sb.sandboxStartHost(refOf(o), host);
        io.out(
          `${host}: ${did ? (verb === 'stop' ? 'stopped' : 'started') : `already ${verb === 'stop' ? 'stopped' : 'running'}`}\n`,
        );
        setExit(0);
      });
  }
  sandbox
    .command('status')
    .description('list the hosts of a sandbox and whether they run')
    .option('--name <name>', 'sandbox name', 'default')
    .option('--state-dir <dir>', 'where the sandbox keeps its files')
    .action(async (o) => {
      const { sandboxStatus } = await import('../sandbox/index.js');
      for (const h of sandboxStatus(refOf(o))) {
        io.out(`${h.name} ${h.address} ${h.running ? 'running' : 'stopped'}\n`);
      }
      setExit(0);
    });
}

/** Which sandbox the --name / --state-dir options point at. */
function refOf(o: { name: string; stateDir?: string }): { name: string; stateDir?: string } {
  return { name: o.name, ...(o.stateDir ? { stateDir: o.stateDir } : {}) };
}
