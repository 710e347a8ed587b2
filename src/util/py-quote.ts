/**
 * Python's urllib.parse.quote: letters, digits, `_.-~` and the characters of
 * `safe` stay, everything else is %XX of its UTF-8 bytes; `plus` is
 * quote_plus (a space is `+`). For Jinja2's urlencode and uri's form bodies,
 * whose bytes must be the ones Ansible sends.
 */
export function pyQuote(text: string, safe = '/', plus = false): string {
  let out = '';
  for (const ch of text) {
    if (/^[A-Za-z0-9_.~-]$/.test(ch) || safe.includes(ch)) out += ch;
    else if (plus && ch === ' ') out += '+';
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
