import { describe, expect, it } from 'vitest';
import { FrameReader } from '../../../src/connection/output-frames.js';

const MARKER = Buffer.from('\n__M_1:');

/** Feed `text` to a reader in pieces cut at `cuts`, taking frames as they complete (as the session does on each chunk). */
function feed(text: string, cuts: number[], withTrailer = true): Array<{ body: string; trailer: string }> {
  const reader = new FrameReader();
  const frames: Array<{ body: string; trailer: string }> = [];
  let at = 0;
  for (const cut of [...cuts, text.length]) {
    reader.push(Buffer.from(text.slice(at, cut), 'latin1'));
    at = cut;
    for (let f = reader.take(MARKER, withTrailer); f; f = reader.take(MARKER, withTrailer))
      frames.push({ body: f.body.toString('latin1'), trailer: f.trailer });
  }
  return frames;
}

describe('FrameReader: one stream cut into command frames', () => {
  const text = 'hello\nworld\n__M_1:0\nnext';

  it('finds the marker and its line wherever the chunks are cut (every cut, and every pair of cuts)', () => {
    for (let i = 0; i <= text.length; i++) {
      expect(feed(text, [i]), `cut at ${i}`).toEqual([{ body: 'hello\nworld', trailer: '0' }]);
      for (let j = i; j <= text.length; j++)
        expect(feed(text, [i, j]), `cuts at ${i},${j}`).toEqual([{ body: 'hello\nworld', trailer: '0' }]);
    }
  });

  it('keeps the bytes after a frame for the next one', () => {
    const reader = new FrameReader();
    reader.push(Buffer.from('a\n__M_1:3\nb\n__M_1:'));
    expect(reader.take(MARKER, true)).toEqual({ body: Buffer.from('a'), trailer: '3' });
    expect(reader.size).toBe('b\n__M_1:'.length);
    expect(reader.take(MARKER, true)).toBeUndefined();
    reader.push(Buffer.from('0\n'));
    expect(reader.take(MARKER, true)).toEqual({ body: Buffer.from('b'), trailer: '0' });
    expect(reader.size).toBe(0);
  });

  it('ends a frame without a trailer at the marker itself', () => {
    expect(feed('err\n__M_1:rest', [5], false)).toEqual([{ body: 'err', trailer: '' }]);
  });

  it('finds a marker in output of many chunks, with one byte of a marker-like prefix in each', () => {
    const chunks = Array.from({ length: 2000 }, () => '\n__M_');
    const body = chunks.join('');
    const whole = `${body}\n__M_1:7\n`;
    const cuts = chunks.map((_c, i) => (i + 1) * 5);
    expect(feed(whole, cuts)).toEqual([{ body, trailer: '7' }]);
  });

  it('reads 64 MiB of small chunks in linear time (concatenating and re-scanning on each chunk took minutes)', () => {
    const reader = new FrameReader();
    const chunk = Buffer.alloc(4096, 0x61);
    const started = Date.now();
    for (let i = 0; i < 16384; i++) {
      reader.push(chunk);
      expect(reader.take(MARKER, true)).toBeUndefined();
    }
    reader.push(Buffer.from('\n__M_1:0\n'));
    expect(reader.take(MARKER, true)?.body.length).toBe(64 * 1024 * 1024);
    // A loose bound, only a sanity check: it takes well under a second.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
