/**
 * locale_gen: community.general's matching of locale.gen lines, its charset normalisation of `locale -a`,
 * its line edit (the name a pattern, matched anywhere in a line), Ubuntu's supported.d/local, hostile names.
 */
import { describe, expect, it } from 'vitest';
import { getModule } from '../../../src/modules/index.js';
import { dropSupported, fixCase, isAvailable, setLocale } from '../../../src/modules/locale_gen.js';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { FakeConnection } from './fake-connection.js';

const h = new ModuleHarness();
const GEN = '# header line\n# en_US.UTF-8 UTF-8\nde_DE.UTF-8 UTF-8\n#  en_GB ISO-8859-1\n';

describe('locale_gen', () => {
  it('finds listed locales, commented or not, and only whole names', () => {
    expect(isAvailable(GEN, 'en_US.UTF-8', false)).toBe(true);
    expect(isAvailable(GEN, 'en_GB', false)).toBe(true);
    expect(isAvailable(GEN, 'en_US', false)).toBe(false);
    expect(isAvailable(GEN, 'en_US.UTF-8', true)).toBe(false);
    expect(isAvailable('en_US.UTF-8 UTF-8\n', 'en_US.UTF-8', true)).toBe(true);
  });

  it("normalises locale -a's charsets", () => {
    expect(fixCase('en_US.utf8')).toBe('en_US.UTF-8');
    expect(fixCase('de_DE.iso885915@euro')).toBe('de_DE.ISO-8859-15@euro');
  });

  it('enables and comments out lines as the module does', () => {
    expect(setLocale(GEN, 'en_US.UTF-8', true)).toBe(GEN.replace('# en_US.UTF-8', 'en_US.UTF-8'));
    expect(setLocale(GEN, 'de_DE.UTF-8', false)).toBe(GEN.replace('de_DE.UTF-8', '# de_DE.UTF-8'));
    expect(setLocale(GEN, 'a_(b', true)).toBeUndefined();
  });

  it('drops a locale from supported.d/local, refusing lines that are not two words', () => {
    expect(dropSupported('en_US.UTF-8 UTF-8\nfr_FR.UTF-8 UTF-8\n', 'en_US.UTF-8')).toBe('fr_FR.UTF-8 UTF-8\n');
    expect(dropSupported('odd\n', 'x')).toBeUndefined();
  });

  it('refuses names the file does not list (a dash, a quote, a newline) and quotes them nowhere into a command', async () => {
    const conn = new FakeConnection([
      { match: /locale -a/, result: { stdout: `@GEN\nL ${GEN.split('\n').join('\nL ')}\n@LOCALES\nL C\n@END\n` } },
    ]);
    for (const name of ['-en_US.UTF-8', "en_US'$(id)", 'en_US.UTF-8\nx_Y z']) {
      expect(await getModule('community.general.locale_gen')!.decide({ ...h.context(), conn }, { name })).toMatchObject(
        {
          kind: 'fail',
          msg: "The locale you've entered is not available on your system.",
        },
      );
    }
    expect(conn.scripts.every((s) => !s.includes('$(id)'))).toBe(true);
    const d = await getModule('locale_gen')!.decide({ ...h.context(), conn }, { name: 'en_US.UTF-8' });
    expect(d).toMatchObject({ kind: 'change', diff: [{ path: '/etc/locale.gen' }] });
  });
});
