/**
 * For tests with an in-process ssh2 Server: answer an `exec` request by
 * running the command in /bin/sh on this machine, with stdin, stdout,
 * stderr and the exit code wired to the channel.
 */
import { spawn } from 'node:child_process';
import type { ServerChannel } from 'ssh2';

/** Run `command` for an accepted exec channel; the child is killed when the channel closes. */
export function runExec(channel: ServerChannel, command: string): void {
  const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
  channel.pipe(child.stdin);
  child.stdout.pipe(channel, { end: false });
  child.stderr.pipe(channel.stderr);
  child.on('exit', (code) => {
    channel.exit(code ?? 1);
    channel.end();
  });
  channel.on('close', () => child.kill('SIGKILL'));
}
