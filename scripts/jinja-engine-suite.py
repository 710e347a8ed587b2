#!/usr/bin/python3
"""Fill in ansible-core's output for each row of the Jinja2 engine suite.

Reads test/fixtures/jinja/expressions.yml (vars + cases) and writes
test/fixtures/jinja/expressions.json: each case with what ansible-core's
Templar gives (a value rendered as Ansible renders a YAML value) or, for a
`when:` case, what its Conditional gives; an error as its kind. Run it with the
system Python that has ansible-core: /usr/bin/python3 scripts/jinja-engine-suite.py
"""
import copy
import json
import os
import sys
from pathlib import Path

import yaml
from ansible.errors import AnsibleUndefinedVariable
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.conditional import Conditional
from ansible.template import Templar

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / 'test/fixtures/jinja/expressions.yml'
OUT = ROOT / 'test/fixtures/jinja/expressions.json'
# The controller side of lookups: their files, the search path and the environment (set here and by the test,
# never stored in the JSON, whose paths would then be this machine's).
LOOKUP_DIR = ROOT / 'test/fixtures/jinja/lookups'
SUITE_ENV = {'BOSUN_SUITE_ENV': 'from the environment'}


def plain(value):
    """Ansible's value as JSON (tuples become lists; unsafe text becomes text)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def main():
    table = yaml.safe_load(SRC.read_text())
    stored = table['vars']
    variables = dict(stored, ansible_search_path=[str(LOOKUP_DIR)], playbook_dir=str(LOOKUP_DIR))
    os.environ.update(SUITE_ENV)
    loader = DataLoader()
    loader.set_basedir(str(LOOKUP_DIR))
    rows = []
    for case in table['cases']:
        mode = 'condition' if case.startswith('when: ') else 'value'
        expr = case[len('when: '):] if mode == 'condition' else case
        templar = Templar(loader=loader, variables=copy.deepcopy(variables))
        try:
            if mode == 'condition':
                cond = Conditional(loader=loader)
                cond.when = [expr]
                result = {'value': cond.evaluate_conditional(templar, variables)}
            else:
                result = {'value': plain(templar.template(expr))}
        except AnsibleUndefinedVariable as err:
            result = {'error': 'undefined', 'message': str(err).split('\n')[0][:200]}
        except Exception as err:  # noqa: BLE001 - every other failure is one kind for the suite
            msg = str(err).split('\n')[0][:200]
            result = {'error': 'undefined' if 'is undefined' in msg else 'error', 'message': msg}
        rows.append({'mode': mode, 'expr': expr, 'ansible': result})
    OUT.write_text(json.dumps({'vars': stored, 'rows': rows}, indent=1, ensure_ascii=False) + '\n')
    print(f'{len(rows)} rows written to {OUT.relative_to(ROOT)}', file=sys.stderr)


if __name__ == '__main__':
    main()
