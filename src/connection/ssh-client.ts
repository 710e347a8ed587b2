/**
 * Opening one authenticated ssh2 client for a ConnectionSpec: host key
 * verification against known_hosts, then the authentication methods in
 * OpenSSH's spirit (key files, the agent, password, keyboard-interactive).
 * Shared by target connections and jump hosts.
 */
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Client, ConnectConfig, ParsedKey } from 'ssh2';
import { isSystemError, systemReason } from '../errors.js';
import { connectFailure, hostKeyAlgorithms, hostKeyRefusal } from './ssh-messages.js';
import { knownKeyTypes, loadKnownHosts } from './known-hosts.js';
import { ConnectionError, type ConnectionSpec } from './types.js';

/** ssh2, loaded on the first connection (about 55 ms of start-up that --syntax-check and --version do not need). */
let ssh2Module: Promise<typeof import('ssh2')> | undefined;
/** Load ssh2 once. */
export function loadSsh2(): Promise<typeof import('ssh2')> {
  ssh2Module ??= import('ssh2').then((m) => (m as unknown as { default?: typeof import('ssh2') }).default ?? m);
  return ssh2Module;
}

/** A private key as read: usable, or encrypted without a passphrase to open it. */
type LoadedKey = { kind: 'key'; key: Buffer | ParsedKey } | { kind: 'encrypted' };

/**
 * Private keys read and parsed once per path (and passphrase) for the whole
 * run: many hosts share one key, and ssh2 would otherwise parse it again for
 * every host. A key ssh2 cannot parse stays raw bytes (ssh2 reports it).
 */
const keyCache = new Map<string, Promise<LoadedKey>>();

/** Read (and parse, decrypting with the passphrase) a private key file once. */
function readKey(path: string, passphrase: string | undefined): Promise<LoadedKey> {
  // The passphrase is part of the key of this in-memory map only: a wrong one must not reuse a right one's result.
  const cacheKey = passphrase === undefined ? `-\0${path}` : `+\0${path}\0${passphrase}`;
  let p = keyCache.get(cacheKey);
  if (!p) {
    p = Promise.all([fs.readFile(path), loadSsh2()]).then(([bytes, ssh2]): LoadedKey => {
      let parsed = ssh2.utils.parseKey(bytes);
      if (parsed instanceof Error && /no passphrase given/i.test(parsed.message)) {
        if (passphrase === undefined) return { kind: 'encrypted' };
        parsed = ssh2.utils.parseKey(bytes, passphrase);
        if (parsed instanceof Error) throw new Error('the passphrase given does not decrypt it');
      }
      if (parsed instanceof Error) return { kind: 'key', key: bytes };
      // ssh2 gives a list for a file with several keys (its types leave that out): the first one is used.
      const keys = parsed as ParsedKey | ParsedKey[];
      return { kind: 'key', key: Array.isArray(keys) ? keys[0]! : keys };
    });
    keyCache.set(cacheKey, p);
    p.catch(() => keyCache.delete(cacheKey));
  }
  return p;
}

/** The default identities OpenSSH tries, in its order, that exist. */
async function defaultKeyFiles(): Promise<string[]> {
  const found: string[] = [];
  for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    const path = join(homedir(), '.ssh', name);
    try {
      await fs.access(path);
      found.push(path);
    } catch {
      // absent: OpenSSH skips it too
    }
  }
  return found;
}

/** Whether a key file is there to read (an error other than "not there" is left for reading it to report). */
async function keyFileExists(path: string): Promise<boolean> {
  try {
    await fs.stat(path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
}

/** One authentication attempt for ssh2's authHandler (its shapes, loosely typed there). */
type AuthAttempt =
  | { type: 'publickey'; username: string; key: Buffer | ParsedKey }
  | { type: 'agent'; username: string; agent: string }
  | { type: 'password'; username: string; password: string }
  | {
      type: 'keyboard-interactive';
      username: string;
      prompt: (
        name: string,
        instructions: string,
        lang: string,
        prompts: Array<{ prompt: string; echo?: boolean }>,
        finish: (answers: string[]) => void,
      ) => void;
    };

/** The attempts for a spec, in order, and notes for the failure message (never a secret). */
export async function authAttempts(spec: ConnectionSpec): Promise<{ attempts: AuthAttempt[]; notes: string[] }> {
  const username = spec.user;
  const attempts: AuthAttempt[] = [];
  const notes: string[] = [];
  // A key file the inventory or --private-key names that does not exist is left out with a warning, as
  // `ssh -i` does: then, with no other key file named, the default keys are tried, and the agent and password.
  const given = spec.privateKeyFile;
  const keyGiven = given !== undefined && (await keyFileExists(given));
  if (given !== undefined && !keyGiven) {
    spec.warn?.(
      `private key file ${given} (ansible_ssh_private_key_file or --private-key) does not exist: logging in without it (ssh-agent, the default keys, a password), as ssh -i does`,
    );
    notes.push(`the private key file ${given} does not exist`);
  }
  const named = [...(keyGiven ? [given] : []), ...(spec.identityFiles ?? [])];
  const keyFiles = named.length > 0 ? [...new Set(named)] : await defaultKeyFiles();
  for (const file of keyFiles) {
    let loaded: LoadedKey;
    try {
      loaded = await readKey(file, spec.keyPassphrase);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ssh skips IdentityFile entries that do not exist (the named key was checked above).
      if (code === 'ENOENT' && file !== spec.privateKeyFile) continue;
      throw new ConnectionError(
        spec.name,
        `cannot use private key ${file}: ${isSystemError(e) ? systemReason(e) : (e as Error).message}`,
        { cause: e },
      );
    }
    if (loaded.kind === 'encrypted') {
      notes.push(
        `the private key ${file} is encrypted: give its passphrase with --ask-key-passphrase or BOSUN_KEY_PASSPHRASE, or add it to ssh-agent`,
      );
      continue;
    }
    attempts.push({ type: 'publickey', username, key: loaded.key });
  }
  const agent = spec.identityAgent ?? process.env.SSH_AUTH_SOCK;
  if (agent && agent !== 'none' && !spec.identitiesOnly) attempts.push({ type: 'agent', username, agent });
  const password = spec.password;
  if (password !== undefined) {
    attempts.push({ type: 'password', username, password });
    // Keyboard-interactive (PAM) asks "Password:": answer password prompts with it, anything else with nothing.
    attempts.push({
      type: 'keyboard-interactive',
      username,
      prompt: (_name, _instructions, _lang, prompts, finish) =>
        finish(prompts.map((p) => (/pass(word|code)?/i.test(p.prompt) ? password : ''))),
    });
  }
  return { attempts, notes };
}

/** Failures that ran out of time after the TCP connection was made (the peer answers, but slowly). */
const stalled = new WeakSet<Error>();

/** Whether a failure to connect timed out in the SSH handshake, after the TCP connection was made. */
export function stalledAfterConnect(e: unknown): boolean {
  return e instanceof Error && stalled.has(e);
}

/** An authenticated ssh2 client, and how the failure message names what was tried. */
export async function openClient(spec: ConnectionSpec, sock?: Duplex): Promise<Client> {
  const entries = await loadKnownHosts(spec.knownHostsFiles);
  const { attempts, notes } = await authAttempts(spec);
  const tried: string[] = [];
  const { Client: ClientClass } = await loadSsh2();
  const client = new ClientClass();
  let refusal: ConnectionError | undefined;
  const config: ConnectConfig = {
    host: spec.address,
    port: spec.port,
    username: spec.user,
    readyTimeout: spec.connectTimeoutMs,
    keepaliveInterval: spec.serverAliveIntervalMs ?? 15_000,
    keepaliveCountMax: spec.serverAliveCountMax ?? 4,
    algorithms: { serverHostKey: hostKeyAlgorithms(knownKeyTypes(entries, spec.address, spec.port)) as never },
    hostVerifier: (key: Buffer) => {
      refusal = hostKeyRefusal(spec, entries, key);
      return refusal === undefined;
    },
    authHandler: (methodsLeft, _partial, next) => {
      // Skip methods the server has said it does not take (it lists them after the first refusal).
      let attempt = attempts.shift();
      // ssh2 calls the first time with methodsLeft null (its types say a list).
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- null on the first call
      while (attempt && methodsLeft && !methodsLeft.includes(attempt.type === 'agent' ? 'publickey' : attempt.type))
        attempt = attempts.shift();
      // ssh2 takes false for "no more methods"; its NextAuthHandler type leaves that out.
      if (!attempt) return next(false as never);
      tried.push(attempt.type);
      next(attempt);
    },
  };
  if (sock) config.sock = sock;
  let socketConnected = false;
  client.once('connect', () => {
    socketConnected = true;
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      // destroy, not end: a peer that never spoke would keep a half-closed socket open.
      client.on('error', () => undefined);
      client.destroy();
      const failure = refusal ?? connectFailure(spec, err, tried);
      if (refusal === undefined && (err as { level?: string }).level === 'client-authentication' && notes.length > 0) {
        failure.message = `${failure.message}; ${notes.join('; ')}`;
      }
      if (socketConnected && (err as { level?: string }).level === 'client-timeout') stalled.add(failure);
      reject(failure);
    };
    client.once('error', onError);
    client.once('ready', () => {
      client.off('error', onError);
      resolve();
    });
    client.connect(config);
  });
  return client;
}
