/** Types of scripts/build-mirror.mjs (plain JavaScript so the demo runs it with node alone). */

/** One file of the mirror. */
export interface MirrorFile {
  version: string;
  /** Upstream path without the scheme, host first (what goes below download_mirror). */
  upstream: string;
  sha256: string;
  /** containerd: the binaries in the archive's bin/. */
  binaries?: string[];
  /** crictl: a fixture script, not the real binary. */
  fixture?: boolean;
}

/** What buildRuntimeMirror made. */
export interface MirrorManifest {
  arch: string;
  containerd: MirrorFile;
  runc: MirrorFile;
  crictl: MirrorFile;
  /** A fixture kk archive. */
  kubekey: MirrorFile;
}

/** A running mirror server. */
export interface MirrorServer {
  url: string;
  /** Requests per path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** Version of the fixture crictl. */
export const CRICTL_FIXTURE_VERSION: string;
/** Version of the fixture kk. */
export const KUBEKEY_FIXTURE_VERSION: string;
/** Debian's containerd and runc .deb files, downloaded once into a cache folder. */
export function downloadDebs(cacheDir?: string, log?: (msg: string) => void): { containerd: string; runc: string };
/** The upstream version in a Debian version: 1.6.20~ds1-1+deb12u3 -> 1.6.20. */
export function upstreamVersion(debVersion: string): string;
/** Build (or reuse) the mirror in `dir`. */
export function buildRuntimeMirror(
  dir: string,
  opts?: { arch?: string; debCache?: string; log?: (msg: string) => void },
): MirrorManifest;
/** The role variables that install the mirror's versions from `url`. */
export function mirrorVars(manifest: MirrorManifest, url: string): Record<string, string>;
/** Serve `dir` over HTTP on 127.0.0.1. */
export function serveMirror(dir: string, opts?: { port?: number }): Promise<MirrorServer>;
