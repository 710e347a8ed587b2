/**
 * get_url's checksum rules, the edge cases the differential test cannot reach cheaply: Ansible's cleaning of the
 * value (Python's \W and int(x, 16)) and its reading of checksum files.
 */
import { describe, expect, it } from 'vitest';
import { CHECKSUM_FORMAT, cleanChecksum, parseChecksum, pickChecksum } from '../../../../src/modules/lib/checksum.js';
import { dispositionFilename, urlFilename } from '../../../../src/modules/get_url.js';

const HEX = '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03';

describe('get_url checksums as Ansible reads them', () => {
  it('splits at the first colon and knows a URL', () => {
    expect(parseChecksum('sha256:http://h/SUMS')).toEqual({ algo: 'sha256', value: 'http://h/SUMS', isUrl: true });
    expect(parseChecksum(`md5: ${HEX}`)).toEqual({ algo: 'md5', value: ` ${HEX}`, isUrl: false });
    expect(parseChecksum('')).toBeUndefined();
    expect(() => parseChecksum(HEX)).toThrow(CHECKSUM_FORMAT);
    expect(() => parseChecksum(`crc32:${HEX}`)).toThrow(/not supported/);
  });

  it('drops non-word characters, lowercases, accepts what int(x, 16) accepts', () => {
    expect(cleanChecksum(` ${HEX.toUpperCase()} -\u200b\r\n`)).toBe(HEX);
    expect(cleanChecksum('ab_cd')).toBe('ab_cd');
    expect(cleanChecksum('0xAB')).toBe('0xab');
    expect(cleanChecksum('5891b5')).toBe('5891b5');
    expect(cleanChecksum(`${HEX}g`)).toBeUndefined();
    expect(cleanChecksum('a__b')).toBeUndefined();
    expect(cleanChecksum(' - ')).toBeUndefined();
  });

  it('reads checksum files line by line with Ansible rules', () => {
    expect(pickChecksum(`${HEX}\n`, 'x')).toBe(HEX);
    expect(pickChecksum(`${HEX}\r\n`, 'x')).toBe(HEX);
    expect(pickChecksum(`0  other\n${HEX}  text\n`, 'text')).toBe(HEX);
    expect(pickChecksum(`${HEX} *text\r\n`, 'text')).toBe(HEX);
    expect(pickChecksum(`${HEX}  ./text\n`, 'text')).toBe(HEX);
    expect(pickChecksum(`${HEX}  ..text\n`, 'text')).toBe(HEX);
    expect(pickChecksum(`1  text\n${HEX}  text\n`, 'text')).toBe('1');
    expect(pickChecksum(`${HEX}  text  \n`, 'text')).toBeUndefined();
    expect(pickChecksum(`${HEX}\ttext\n`, 'text')).toBeUndefined();
    expect(pickChecksum(`${HEX}  sub/text\n`, 'text')).toBeUndefined();
    expect(pickChecksum('', 'text')).toBeUndefined();
  });

  it('names files as url_filename and the Content-Disposition rule do', () => {
    expect(urlFilename('http://h:1/a/b%20c.txt?x=/y#z')).toBe('b%20c.txt');
    expect(urlFilename('http://h:1/dir/')).toBe('index.html');
    expect(urlFilename('http://h:1')).toBe('index.html');
    expect(urlFilename('file:///opt/x')).toBe('x');
    expect(dispositionFilename('attachment; filename="../../etc/named.txt"')).toBe('named.txt');
    expect(dispositionFilename('attachment;filename=plain.bin')).toBe('plain.bin');
    expect(dispositionFilename('inline; filename="no.txt"')).toBeUndefined();
  });
});
