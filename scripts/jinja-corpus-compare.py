#!/usr/bin/python3
"""The ansible-core half of the corpus measurement: reads the cases that
`npm run corpus:render -- CASES.json DIR...` wrote (each Jinja2 value,
condition and .j2 template of a role corpus, with bosun's outcome), renders
each with ansible-core and the same variables (Templar for values, Conditional
for conditions, the template action's environment for files), and prints the
share that agree, then the cases that differ grouped by their first words.

    /usr/bin/python3 scripts/jinja-corpus-compare.py CASES.json [--show N] [--json OUT.json]
"""
import argparse
import collections
import json
import re
import signal
import warnings

from ansible.errors import AnsibleUndefinedVariable
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.conditional import Conditional
from ansible.template import AnsibleEnvironment, Templar
from ansible.utils.display import Display

# bosun's omit placeholder (src/template/jinja/render.ts, OMIT).
OMIT = '__omit_place_holder__bosun'
# The template module's defaults (plugins/action/template.py).
TEMPLATE_SETTINGS = {'newline_sequence': '\n', 'trim_blocks': True, 'lstrip_blocks': False}


class Timeout(Exception):
    pass


def plain(value):
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def ansible_outcome(loader, case, variables):
    templar = Templar(loader=loader, variables=variables)
    try:
        if case['kind'] == 'condition':
            cond = Conditional(loader=loader)
            cond.when = [case['text']]
            return {'value': cond.evaluate_conditional(templar, variables)}
        if case['kind'] == 'template':
            t = templar.copy_with_new_env(environment_class=AnsibleEnvironment, searchpath=case['searchPath'],
                                          available_variables=variables, **TEMPLATE_SETTINGS)
            return {'value': t.do_template(case['text'], preserve_trailing_newlines=True, escape_backslashes=False)}
        return {'value': plain(templar.template(case['text']))}
    except Timeout:
        return {'error': 'timeout'}
    except AnsibleUndefinedVariable as err:
        return {'error': 'undefined', 'message': str(err).split('\n')[0][:200]}
    except Exception as err:  # noqa: BLE001 - every other failure is one kind here
        msg = str(err).split('\n')[0][:200]
        return {'error': 'undefined' if 'is undefined' in msg else 'error', 'message': msg}


def py_text(v):
    if v is None:
        return 'None'
    if v is True:
        return 'True'
    if v is False:
        return 'False'
    return str(v)


def same(bosun, ans):
    """bosun's value is Ansible's; a scalar bosun keeps native where Ansible gives its text counts as the same."""
    b, a = bosun.get('value'), ans.get('value')
    if b == a and type(b) is type(a):
        return True
    if b == a and not isinstance(a, bool) and not isinstance(b, bool):
        return True
    if b is None and a == '':
        return True
    return isinstance(a, str) and not isinstance(b, (str, dict, list)) and bosun.get('text', py_text(b)) == a


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('cases')
    ap.add_argument('--show', type=int, default=3)
    ap.add_argument('--json')
    opt = ap.parse_args()
    data = json.load(open(opt.cases))
    warnings.simplefilter('ignore')
    Display().verbosity = -1
    loader = DataLoader()
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(Timeout()))
    stats = collections.defaultdict(collections.Counter)
    groups = collections.defaultdict(list)
    out = []
    for case in data['cases']:
        kind = case['kind']
        s = stats[kind]
        s['all'] += 1
        b = case['bosun']
        if b.get('skipped'):
            s['lookup or random (not rendered)'] += 1
            continue
        loader.set_basedir(case['role'])
        signal.alarm(5)
        try:
            # Ansible's omit token is bosun's text here, so that `default(omit)` compares equal.
            a = ansible_outcome(loader, case, dict(data['vars'][case['role']], omit=OMIT))
        finally:
            signal.alarm(0)
        case['ansible'] = a
        out.append(case)
        if 'error' in a and 'error' in b:
            s['both fail'] += 1
        elif 'error' in a:
            s['only Ansible fails'] += 1
            groups[(kind, 'only Ansible fails', a.get('message', a['error'])[:60])].append(case)
        elif 'error' in b:
            s['only bosun fails'] += 1
            key = re.sub(r"'[^']*'", "'…'", b.get('message', b['error']))[:70]
            groups[(kind, 'only bosun fails', key)].append(case)
        else:
            s['both render'] += 1
            if same(b, a):
                s['equal'] += 1
            else:
                s['different'] += 1
                groups[(kind, 'different', case['text'][:40] if kind != 'template' else case['where'])].append(case)
    print('| kind | cases | lookup or random (not rendered) | both render | equal | % equal where both render | only bosun fails | only Ansible fails | both fail |')
    print('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
    for kind in ('value', 'condition', 'template'):
        s = stats[kind]
        pct = 100 * s['equal'] / s['both render'] if s['both render'] else 0
        print(f"| {kind} | {s['all']} | {s['lookup or random (not rendered)']} | {s['both render']} | {s['equal']} | {pct:.1f}% | "
              f"{s['only bosun fails']} | {s['only Ansible fails']} | {s['both fail']} |")
    print()
    for (kind, what, key), cases in sorted(groups.items(), key=lambda g: -len(g[1])):
        print(f'{len(cases):5}  {kind} {what}: {key}')
        for c in cases[:opt.show]:
            print(f"       {c['where']}: {c['text'][:160]!r}")
            print(f"         bosun:   {json.dumps(c['bosun'])[:300]}")
            print(f"         ansible: {json.dumps(c['ansible'], default=str)[:300]}")
    if opt.json:
        json.dump(out, open(opt.json, 'w'), default=str)


if __name__ == '__main__':
    main()
