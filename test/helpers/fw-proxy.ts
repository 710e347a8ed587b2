/**
 * Real iptables for sandbox hosts, without touching this machine's netfilter. A sandbox host shares the
 * machine's network namespace and has no CAP_NET_ADMIN (src/sandbox/confinement.ts), and its chroot may not
 * make a user namespace, so its own iptables can only fail. The test therefore gives each host a stand-in
 * `iptables`/`ip6tables` (in /usr/local/sbin, first on root's PATH) that sends its argument vector to this
 * proxy on the controller; the proxy runs the real /usr/sbin/iptables with that vector (no shell) inside a
 * network namespace of its own per host (`unshare -n`, made by the test and checked to differ from the
 * machine's before every command), and hands back rc, stdout and stderr. The stand-in also logs each vector
 * as a JSON line in /opt/fwlog, so the command lines of both tools can be compared.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { shq } from '../../src/util/shell.js';

/** A running proxy. */
export interface FwProxy {
  close(): Promise<void>;
}

const TOOLS = new Set(['iptables', 'ip6tables']);
const own = readlinkSync('/proc/self/ns/net');

/** Start the proxy on `address:port` (a sandbox base address of the test file). */
export async function startFwProxy(address: string, port: number): Promise<FwProxy> {
  const spaces = new Map<string, ChildProcess>();
  const netnsOf = async (host: string, fresh: boolean): Promise<string> => {
    let child = spaces.get(host);
    if (child && fresh) {
      child.kill('SIGKILL');
      child = undefined;
    }
    if (!child) {
      child = spawn('unshare', ['-n', 'sleep', 'infinity'], { stdio: 'ignore' });
      spaces.set(host, child);
    }
    const file = `/proc/${child.pid}/ns/net`;
    for (let i = 0; i < 200; i++) {
      try {
        // Only a namespace other than the machine's is ever entered.
        if (readlinkSync(file) !== own && readlinkSync(`/proc/${child.pid}/exe`).endsWith('/sleep')) return file;
      } catch {
        // not there yet
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no network namespace for ${host}`);
  };
  // Half open: the stand-in ends its side after the request and then reads the reply.
  const server: Server = createServer({ allowHalfOpen: true }, (sock) => {
    let input = '';
    sock.on('data', (d) => (input += d.toString('utf8')));
    sock.on('end', () => {
      void (async () => {
        const reply = (rc: number, stdout: string, stderr: string): void => {
          sock.end(JSON.stringify({ rc, stdout, stderr }));
        };
        try {
          const req = JSON.parse(input) as { host: string; tool: string; argv: string[] };
          if (req.tool === 'reset') {
            await netnsOf(req.host, true);
            reply(0, '', '');
            return;
          }
          if (!TOOLS.has(req.tool) || !Array.isArray(req.argv)) {
            reply(2, '', `fw-proxy: refused ${req.tool}\n`);
            return;
          }
          const ns = await netnsOf(req.host, false);
          execFile('nsenter', [`--net=${ns}`, `/usr/sbin/${req.tool}`, ...req.argv], (err, stdout, stderr) => {
            const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
            reply(code, stdout, stderr);
          });
        } catch (e) {
          reply(2, '', `fw-proxy: ${String(e)}\n`);
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, address, resolve));
  return {
    close: async () => {
      for (const c of spaces.values()) c.kill('SIGKILL');
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Shell (run as root on a host) that installs the stand-ins for the proxy at `address:port` and gives the host a fresh namespace. */
export function fwStandInScript(address: string, port: number): string {
  const client = [
    '#!/usr/bin/python3',
    'import json, os, socket, sys',
    'tool = os.path.basename(sys.argv[0])',
    'tool = "reset" if tool == "bosun-fw-reset" else tool',
    'if tool != "reset":',
    '    with open("/opt/fwlog", "a") as f: f.write(json.dumps([tool] + sys.argv[1:]) + "\\n")',
    `s = socket.create_connection((${JSON.stringify(address)}, ${port}))`,
    's.sendall(json.dumps({"host": socket.gethostname(), "tool": tool, "argv": sys.argv[1:]}).encode())',
    's.shutdown(socket.SHUT_WR)',
    'data = b""',
    'while True:',
    '    chunk = s.recv(65536)',
    '    if not chunk: break',
    '    data += chunk',
    'r = json.loads(data)',
    'sys.stdout.write(r["stdout"]); sys.stderr.write(r["stderr"]); sys.exit(r["rc"])',
    '',
  ].join('\n');
  return [
    'set -e',
    `printf '%s' ${shq(client)} > /usr/local/sbin/iptables`,
    'chmod 755 /usr/local/sbin/iptables',
    'ln -sf iptables /usr/local/sbin/ip6tables',
    'ln -sf iptables /usr/local/sbin/bosun-fw-reset',
    'rm -f /opt/fwlog',
    '/usr/local/sbin/bosun-fw-reset',
  ].join('\n');
}
