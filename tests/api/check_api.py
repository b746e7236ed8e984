#!/usr/bin/env python3
"""The library's API rules that the public headers (lib/include/perfdb/*.h)
can be checked for, beside check_options.py's rules for options structs:

  - no private field in a public struct: no field name ends in '_';
  - enums, not strings: no struct field named method, status, verdict,
    baseline_kind or order is a `char *` or `char[]` (each is an enum with a
    perfdb_<x>_name()), and no field named tags is text (tags are read with
    the perfdb_tags accessors);
  - out-parameters first: in every function declared, a parameter named `out`
    or `out_*` comes before every parameter that is not one;
  - one unit rule (common.h): no field or parameter ends in `_percent` (a
    percent is `_pct`), and no function takes a `percentile` (quantiles are
    fractions, `_quantile`).

Prints every broken rule and exits 1, or prints what it checked.
"""
import glob
import os
import re
import sys

root = sys.argv[1]
ENUM_WORDS = ('method', 'status', 'verdict', 'baseline_kind', 'order')
# Text by nature, not a closed set of words: an HTTP request method is any
# token the server accepts ("GET", "PURGE").
TEXT_ALLOWED = {'perfdb_loadtest_http_options.method'}


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), text, flags=re.S)
    return re.sub(r'//[^\n]*', '', text)


def line_of(text, pos):
    return text.count('\n', 0, pos) + 1


def struct_bodies(text):
    """(name, body, offset) of every struct body in the text, innermost too."""
    for m in re.finditer(r'struct\s+(\w*)\s*\{', text):
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {'{': 1, '}': -1}.get(text[i], 0)
            i += 1
        yield m.group(1) or '(anonymous)', text[m.end():i - 1], m.end()


def fields(body):
    """(type, name) of every declarator in a struct body, nested bodies left out."""
    flat, depth = [], 0
    for ch in body:
        depth += ch == '{'
        if not depth:
            flat.append(ch)
        depth -= ch == '}'
    for decl in ''.join(flat).split(';'):
        decl = ' '.join(decl.split())
        if not decl or '(' in decl and '(*' not in decl:
            continue
        m = re.match(r'(.*?)(\b\w+\b\s*(\[[^\]]*\])?\s*(,\s*\**\s*\w+\s*(\[[^\]]*\])?\s*)*)$', decl)
        if not m:
            continue
        base = m.group(1)
        for d in m.group(2).split(','):
            dm = re.match(r'\s*(\**)\s*(\w+)\s*(\[[^\]]*\])?', d)
            if dm:
                yield base + dm.group(1) + (dm.group(3) or ''), dm.group(2)


bad, nfields, nfuncs = [], 0, 0
for h in sorted(glob.glob(os.path.join(root, 'lib/include/perfdb/*.h'))):
    name = os.path.basename(h)
    text = strip_comments(open(h).read())
    for sname, body, off in struct_bodies(text):
        for ftype, fname in fields(body):
            nfields += 1
            where = '%s:%d: %s.%s' % (name, line_of(text, off), sname, fname)
            if fname.endswith('_'):
                bad.append('%s: a private field in a public struct' % where)
            is_text = 'char' in ftype and ('*' in ftype or '[' in ftype)
            if fname in ENUM_WORDS and is_text and '%s.%s' % (sname, fname) not in TEXT_ALLOWED:
                bad.append('%s: is text; make it an enum with a _name()' % where)
            if fname == 'tags' and is_text:
                bad.append('%s: tags as text; use const perfdb_tags *' % where)
            if fname.endswith('_percent'):
                bad.append('%s: a percent is named _pct' % where)
    for m in re.finditer(r'\b(perfdb_\w+)\s*\(([^;{}]*?)\)\s*(;|\{)', text, re.S):
        fn, params = m.group(1), m.group(2)
        if re.match(r'\s*(PERFDB_|#)', params) or fn.isupper():
            continue
        names = []
        for p in params.split(','):
            pm = re.search(r'(\w+)\s*(\[[^\]]*\])?\s*$', p.strip())
            names.append(pm.group(1) if pm else '')
        if names == ['void'] or not names:
            continue
        nfuncs += 1
        where = '%s:%d: %s()' % (name, line_of(text, m.start()), fn)
        is_out = [n == 'out' or n.startswith('out_') for n in names]
        if is_out != sorted(is_out, reverse=True):
            bad.append('%s: out-parameters come first (%s)' % (where, ', '.join(names)))
        if 'percentile' in fn or any(n.endswith('_percent') for n in names):
            bad.append('%s: quantiles are fractions (_quantile), percents _pct' % where)

for b in bad:
    print('FAIL: ' + b)
print('%d struct fields and %d functions checked' % (nfields, nfuncs))
sys.exit(1 if bad or not nfields or not nfuncs else 0)
