#!/usr/bin/python3
"""Fill in ansible-core's output for each row of the Jinja2 template suite.

Reads test/fixtures/jinja/templates.yml (vars, files that templates may
include or import, and cases) and writes test/fixtures/jinja/templates.json:
each case with the text ansible-core's template action renders from it (the
same environment settings: trim_blocks, the #jinja2: header, newline_sequence,
trailing newlines kept), or its error kind. Run it with the system Python that
has ansible-core: /usr/bin/python3 scripts/jinja-template-suite.py
"""
import json
import sys
import tempfile
from pathlib import Path

import yaml
from ansible.errors import AnsibleUndefinedVariable
from ansible.parsing.dataloader import DataLoader
from ansible.template import AnsibleEnvironment, Templar

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / 'test/fixtures/jinja/templates.yml'
OUT = ROOT / 'test/fixtures/jinja/templates.json'

# The template module's defaults (plugins/action/template.py).
DEFAULTS = {'newline_sequence': '\n', 'trim_blocks': True, 'lstrip_blocks': False}


def render(loader, variables, folder, text, options):
    settings = dict(DEFAULTS)
    settings.update(options or {})
    templar = Templar(loader=loader, variables=variables)
    templar = templar.copy_with_new_env(environment_class=AnsibleEnvironment, searchpath=[folder],
                                        available_variables=variables, **settings)
    return templar.do_template(text, preserve_trailing_newlines=True, escape_backslashes=False)


def main():
    table = yaml.safe_load(SRC.read_text())
    variables = table['vars']
    loader = DataLoader()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, text in (table.get('files') or {}).items():
            Path(folder, name).write_text(text)
        for case in table['cases']:
            try:
                result = {'text': render(loader, variables, folder, case['template'], case.get('options'))}
            except AnsibleUndefinedVariable as err:
                result = {'error': 'undefined', 'message': str(err).split('\n')[0][:200]}
            except Exception as err:  # noqa: BLE001 - every other failure is one kind for the suite
                msg = str(err).split('\n')[0][:200]
                result = {'error': 'undefined' if 'is undefined' in msg else 'error', 'message': msg}
            row = {'name': case['name'], 'template': case['template'], 'ansible': result}
            if case.get('options'):
                row['options'] = case['options']
            rows.append(row)
    OUT.write_text(json.dumps({'vars': variables, 'files': table.get('files') or {}, 'rows': rows},
                              indent=1, ensure_ascii=False) + '\n')
    print(f'{len(rows)} rows written to {OUT.relative_to(ROOT)}', file=sys.stderr)


if __name__ == '__main__':
    main()
