/** The multipart layout of src/modules/lib/multipart.ts: Python's email package's, byte for byte. */
import { describe, expect, it } from 'vitest';
import { encodeMultipart, guessMime, parseMimeTypes } from '../../../src/modules/lib/multipart.js';

/** The body with its boundary named B. */
function laidOut(parts: Parameters<typeof encodeMultipart>[0]): { type: string; text: string } {
  const { type, body } = encodeMultipart(parts);
  const boundary = /boundary="([^"]+)"/.exec(type)![1]!;
  expect(boundary).toMatch(/^={15}\d{19}==(\.\d+)*$/);
  return { type: type.split(boundary).join('B'), text: body.toString('latin1').split(boundary).join('B') };
}

describe('encodeMultipart', () => {
  it('sorts fields, makes line breaks CRLF and sends files base64 with a final CRLF', () => {
    const r = laidOut([
      { name: 'z', content: Buffer.from('a\nb\rc'), type: 'text/plain' },
      { name: 'a', file: Buffer.from('x'.repeat(60)), filename: '/tmp/dir/f.bin', type: 'application/octet-stream' },
    ]);
    expect(r.type).toBe('multipart/form-data; boundary="B"');
    const b64 = Buffer.from('x'.repeat(60)).toString('base64');
    expect(r.text).toBe(
      '--B\r\nContent-Transfer-Encoding: base64\r\nContent-Type: application/octet-stream\r\n' +
        `Content-Disposition: form-data; name="a"; filename="f.bin"\r\n\r\n${b64.slice(0, 76)}\r\n${b64.slice(76)}\r\n` +
        '\r\n--B\r\nContent-Type: text/plain\r\nContent-Disposition: form-data; name="z"\r\n\r\na\r\nb\r\nc\r\n--B--\r\n',
    );
  });

  it('quotes hostile names and keeps an empty form well formed', () => {
    expect(laidOut([{ name: 'a"b\\c', content: Buffer.from(''), type: 'text/plain' }]).text).toContain(
      'name="a\\"b\\\\c"',
    );
    expect(laidOut([]).text).toBe('--B\r\n\r\n--B--\r\n');
  });

  it('makes the boundary longer when a part holds it', () => {
    const token = '1234567890123456789';
    const held = `===============${token}==`;
    const r = encodeMultipart(
      [{ name: 'a', content: Buffer.from(`--${held} and --${held}.0`), type: 'text/plain' }],
      token,
    );
    expect(r.type).toBe(`multipart/form-data; boundary="${held}.0.1"`);
  });
});

describe('guessMime', () => {
  const table = parseMimeTypes('# comment\ntext/x-own  own\napplication/x-tar tar\n');
  it('reads mime.types, then Python defaults, strips compression suffixes', () => {
    expect(guessMime('/x/a.own', table)).toBe('text/x-own');
    expect(guessMime('a.txt', table)).toBe('text/plain');
    expect(guessMime('a.tar.gz', table)).toBe('application/x-tar');
    expect(guessMime('a.tgz', table)).toBe('application/x-tar');
    expect(guessMime('noext', table)).toBeUndefined();
    expect(guessMime('.hidden', table)).toBeUndefined();
  });
});
