/**
 * The local runtime mirror for role tests: Debian's real containerd and runc
 * repacked as upstream's release files, and a FIXTURE crictl archive, laid out
 * as `<mirror>/github.com/...` and served on 127.0.0.1. The logic lives in
 * scripts/build-mirror.mjs so the demo runs the same code with node alone.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import {
  buildRuntimeMirror,
  mirrorVars,
  serveMirror,
  type MirrorManifest,
  type MirrorServer,
} from '../../scripts/build-mirror.mjs';

export {
  buildRuntimeMirror,
  CRICTL_FIXTURE_VERSION,
  mirrorVars,
  serveMirror,
  upstreamVersion,
} from '../../scripts/build-mirror.mjs';
export type { MirrorFile, MirrorManifest, MirrorServer } from '../../scripts/build-mirror.mjs';

/** A built and running mirror, and the role variables (fixture checksums) that install from it. */
export interface RuntimeMirror {
  /** The mirror's folder (what the server serves). */
  dir: string;
  manifest: MirrorManifest;
  server: MirrorServer;
  vars: Record<string, string>;
}

/** Build (or reuse, from the cache folder) the mirror and serve it until `server.close()`. */
export async function startRuntimeMirror(
  dir = path.join(homedir(), '.cache', 'bosun', 'runtime-mirror'),
): Promise<RuntimeMirror> {
  const manifest = buildRuntimeMirror(dir);
  const server = await serveMirror(dir);
  return { dir, manifest, server, vars: mirrorVars(manifest, server.url) };
}
