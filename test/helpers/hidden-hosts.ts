/**
 * Hosts reachable only through a bastion, for ProxyJump tests. The test
 * makes a network namespace with nothing but its own loopback; the hidden
 * hosts are sshd's listening on 127.89.200.N inside it (moved by testAddress; so connecting to
 * that address from the controller is refused: it is the controller's own
 * loopback, where nothing listens). The bastion listens on the controller's
 * side (127.89.0.100:22, a TCP listener in this process) and runs, per
 * connection, `sshd -i` inside the namespace: its forwarded connections
 * reach the hidden hosts, the controller's do not. Every process and the
 * namespace are this helper's own and go in stop().
 */
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testAddress } from './sandbox.js';

/** A bastion and hidden hosts behind it. */
export interface HiddenHosts {
  dir: string;
  netns: string;
  bastion: { address: string; port: number };
  hidden: Array<{ name: string; address: string }>;
  /** Client key that every host accepts. */
  privateKeyFile: string;
  /** known_hosts with the bastion's and every hidden host's key. */
  knownHostsFile: string;
  /** Lines of known_hosts per host, to build partial files. */
  knownLines: { bastion: string; hidden: string[] };
  /** How many SSH connections the bastion has accepted so far. */
  bastionConnections(): number;
  /** The network namespace's id (`net:[N]`), what `readlink /proc/self/ns/net` prints inside it. */
  netnsId: string;
  stop(): Promise<void>;
}

/** Whether this machine can do it: root and `ip` (iproute2). */
export function hiddenHostsSupport(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return "needs 'ip' (apt-get install -y iproute2)";
  }
  return undefined;
}

/** sshd in the namespace, with a private /run (sshd wants /run/sshd; the machine's /run is left alone). */
function sshdInNetns(netns: string, args: string[]): string[] {
  const inner = `mount -t tmpfs tmpfs /run && mkdir /run/sshd && exec /usr/sbin/sshd ${args.join(' ')}`;
  return ['netns', 'exec', netns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', inner];
}

/** Start the namespace, `count` hidden sshd's and the bastion listener. */
export async function startHiddenHosts(count: number): Promise<HiddenHosts> {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-hidden-'));
  const netns = `bosun-t89-${process.pid}`;
  const children: ChildProcess[] = [];
  let server: Server | undefined;
  let accepted = 0;
  const keygen = (name: string) => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, name)]);
    return readFileSync(join(dir, `${name}.pub`), 'utf8')
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .join(' ');
  };
  const stop = async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    for (const c of children)
      if (c.exitCode === null && c.pid) {
        try {
          process.kill(c.pid, 'SIGTERM');
        } catch {
          /* gone */
        }
      }
    await Promise.all(
      children
        .filter((c) => c.exitCode === null && c.signalCode === null)
        .map((c) => new Promise((r) => c.once('exit', r))),
    );
    try {
      execFileSync('ip', ['netns', 'delete', netns], { stdio: 'ignore' });
    } catch {
      /* not made */
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    execFileSync('ip', ['netns', 'add', netns]);
    execFileSync('ip', ['netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up']);
    const netnsId = execFileSync('ip', ['netns', 'exec', netns, 'readlink', '/proc/self/ns/net'], {
      encoding: 'utf8',
    }).trim();
    keygen('client');
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client.pub')));
    const config = (hostKey: string) => {
      const file = join(dir, `${hostKey}.conf`);
      writeFileSync(
        file,
        [
          `HostKey ${join(dir, hostKey)}`,
          `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
          'PidFile none',
          'StrictModes no',
          'UsePAM no',
          'PermitRootLogin prohibit-password',
          '',
        ].join('\n'),
      );
      return file;
    };
    const bastionKey = keygen('bastion');
    const bastionConf = config('bastion');
    const bastion = { address: testAddress('127.89.0.100'), port: 22 };
    const hidden: HiddenHosts['hidden'] = [];
    const hiddenLines: string[] = [];
    for (let i = 1; i <= count; i++) {
      const name = `hidden${i}`;
      const address = testAddress(`127.89.200.${i}`);
      hiddenLines.push(`${address} ${keygen(name)}`);
      const child = spawn(
        'ip',
        sshdInNetns(netns, ['-D', '-e', '-f', config(name), '-o', `ListenAddress=${address}`]),
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        let log = '';
        const timer = setTimeout(() => reject(new Error(`${name} did not start: ${log}`)), 10_000);
        child.stderr.on('data', (d: Buffer) => {
          log += d.toString();
          if (log.includes('Server listening')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', () => {
          clearTimeout(timer);
          reject(new Error(`${name} exited: ${log}`));
        });
      });
      hidden.push({ name, address });
    }
    server = createServer((sock) => {
      accepted++;
      const child = spawn('ip', sshdInNetns(netns, ['-i', '-e', '-f', bastionConf]), {
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      children.push(child);
      sock.pipe(child.stdin);
      child.stdout.pipe(sock);
      sock.on('error', () => undefined);
      child.stdin.on('error', () => undefined);
      sock.on('close', () => {
        if (child.exitCode === null && child.pid) {
          try {
            process.kill(child.pid, 'SIGTERM');
          } catch {
            /* gone */
          }
        }
      });
      child.on('exit', () => sock.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(bastion.port, bastion.address, () => resolve());
    });
    const bastionLine = `${bastion.address} ${bastionKey}`;
    const knownHostsFile = join(dir, 'known_hosts');
    writeFileSync(knownHostsFile, [bastionLine, ...hiddenLines, ''].join('\n'));
    return {
      dir,
      netns,
      bastion,
      hidden,
      netnsId,
      knownHostsFile,
      privateKeyFile: join(dir, 'client'),
      knownLines: { bastion: bastionLine, hidden: hiddenLines },
      bastionConnections: () => accepted,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
