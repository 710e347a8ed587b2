/**
 * One output stream of the long-lived shell (stdout or stderr), cut into
 * the frames of the commands run through it (see shell-session.ts). The
 * bytes are kept as a list of chunks and each search for a command's end
 * marker looks only at the bytes that arrived since the last search (plus
 * the marker's length of overlap), so reading N bytes of output costs O(N),
 * not O(N^2) as concatenating and re-scanning the whole buffer on every
 * chunk did (40 MB took 38 s that way).
 */

/** A command's output in one stream, up to its end marker, and what the marker line carried after it. */
export interface Frame {
  body: Buffer;
  /** The bytes between the marker and the end of its line (the exit code on stdout); empty without one. */
  trailer: string;
}

/** The bytes of one stream since the last frame ended, and the search for the next end marker. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private length = 0;
  /** Bytes already searched for the current marker (a marker cannot start before `scanned - marker.length + 1`). */
  private scanned = 0;
  /** Where the current marker was found, while its line is not complete yet. */
  private markerAt: number | undefined;

  /** Bytes held now (the output of the running command so far, with a partial marker perhaps). */
  get size(): number {
    return this.length;
  }

  /** Keep a chunk that arrived. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Forget everything held (the session ended, or the output is not wanted). */
  clear(): void {
    this.chunks = [];
    this.length = 0;
    this.scanned = 0;
    this.markerAt = undefined;
  }

  /**
   * The frame ending at `marker` (`withTrailer`: the marker is followed by a
   * line's rest, which ends the frame with its newline), or undefined while
   * it has not arrived. The bytes after the frame stay for the next one.
   */
  take(marker: Buffer, withTrailer: boolean): Frame | undefined {
    if (this.markerAt === undefined) {
      const from = Math.max(0, this.scanned - marker.length + 1);
      const at = from < this.length ? this.bytesFrom(from).indexOf(marker) : -1;
      this.scanned = this.length;
      if (at < 0) return undefined;
      this.markerAt = from + at;
    }
    const markerAt = this.markerAt;
    let end = markerAt + marker.length;
    let trailer = '';
    if (withTrailer) {
      const rest = this.bytesFrom(end);
      const nl = rest.indexOf(0x0a);
      if (nl < 0) return undefined;
      trailer = rest.subarray(0, nl).toString('latin1');
      end += nl + 1;
    }
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
    const body = all.subarray(0, markerAt);
    const after = all.subarray(end);
    this.clear();
    // The next frame must not keep the whole of this one alive through a view of it.
    this.push(after.length > 0 && after.length < all.length / 2 ? Buffer.from(after) : after);
    return { body, trailer };
  }

  /** The bytes from `offset` to the end, copying only those (the chunks are walked from the end). */
  private bytesFrom(offset: number): Buffer {
    if (offset >= this.length) return Buffer.alloc(0);
    let start = this.length;
    let i = this.chunks.length;
    while (i > 0 && start > offset) start -= this.chunks[--i]!.length;
    const parts = this.chunks.slice(i);
    const joined = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    return joined.subarray(offset - start);
  }
}
