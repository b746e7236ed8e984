#!/usr/bin/env python3
"""The library's rules for versioned options structs, enforced on the public
headers (lib/include/perfdb/*.h) and the sources that use them:

  - every struct whose first field is `unsigned version` has a
    PERFDB_<X>_VERSION and a PERFDB_<X>_INIT made of designated initialisers
    only (an older caller never shifts fields), and a perfdb_<x>_init()
    declared beside it (for callers that cannot use the macro);
  - the library compares the version with PERFDB_<X>_VERSION somewhere in
    lib/ (a caller built against another layout is refused, not misread);
  - every perfdb_<x>_init() it declares is defined in lib/.

Prints every broken rule and exits 1, or prints what it checked.
"""
import glob
import os
import re
import sys

root = sys.argv[1]
headers = sorted(glob.glob(os.path.join(root, 'lib/include/perfdb/*.h')))
sources = ''.join(open(p).read() for p in glob.glob(os.path.join(root, 'lib/**/*.c'), recursive=True))
bad = []
checked = []
for h in headers:
    text = open(h).read()
    name = os.path.basename(h)
    for m in re.finditer(r'typedef struct (perfdb_\w+) \{\s*unsigned version;', text):
        s = m.group(1)
        up = s.upper()
        ver, init, fn = up + '_VERSION', up + '_INIT', s + '_init'
        checked.append(s)
        if not re.search(r'#define %s\b' % ver, text):
            bad.append('%s: %s has no %s' % (name, s, ver))
        mm = re.search(r'#define %s\s*\\?\s*\{(.*?)\}' % init, text, re.S)
        if not mm:
            bad.append('%s: %s has no %s' % (name, s, init))
        else:
            items = [i.strip() for i in mm.group(1).replace('\\\n', ' ').split(',') if i.strip()]
            positional = [i for i in items if not i.startswith('.')]
            if positional or not any(i.startswith('.version') for i in items):
                bad.append('%s: %s is not designated initialisers only (%s)'
                           % (name, init, ', '.join(positional[:3]) or 'no .version'))
        if not re.search(r'\bvoid %s\(%s \*\w+\);' % (fn, s), text):
            bad.append('%s: no void %s(%s *) declared' % (name, fn, s))
        if not re.search(r'\bvoid %s\(%s \*\w+\)\s*\{' % (fn, s), sources):
            bad.append('lib/: %s() is not defined' % fn)
        if not re.search(r'version\s*!=\s*%s\b' % ver, sources):
            bad.append('lib/: nothing compares a version with %s' % ver)
for b in bad:
    print('FAIL: ' + b)
print('%d options structs checked: %s' % (len(checked), ', '.join(checked)))
sys.exit(1 if bad or not checked else 0)
