#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Copy the tracepoint headers for a kernel older than v6.10.

v6.10 ("tracing: Rework __assign_str() and __string() to not duplicate
getting the string") changed __assign_str(dst, src) to __assign_str(dst):
the source comes from the field's __string(dst, src). The kernel patches
use the new form; to build tphsim against 6.1 this writes a copy of every
header under SRC to DST with each __assign_str(NAME) given the source
expression of the __string(NAME, EXPR) of the same event. Nothing else
changes, so the copy cannot drift from the headers: it is made from them
at every build.

usage: assign-str-compat.py SRC_TREE DST_TREE
"""
import os
import re
import sys

EVENT_START = re.compile(r'^(TRACE_EVENT|TRACE_EVENT_CONDITION|'
                         r'DECLARE_EVENT_CLASS)\(', re.M)


def balanced(text, start):
    """Index just past the ')' matching the '(' at text[start]."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == '(':
            depth += 1
        elif text[i] == ')':
            depth -= 1
            if depth == 0:
                return i + 1
    raise ValueError('unbalanced parentheses')


def strings_of(block):
    """{name: source expression} of the __string() fields of one event."""
    out = {}
    for m in re.finditer(r'__string\(', block):
        end = balanced(block, m.end() - 1)
        inner = block[m.end():end - 1]
        name, expr = inner.split(',', 1)
        out[name.strip()] = expr.strip()
    return out


def convert(text):
    starts = [m.start() for m in EVENT_START.finditer(text)] + [len(text)]
    out = [text[:starts[0]]]
    for a, b in zip(starts, starts[1:]):
        block = text[a:b]
        src = strings_of(block)

        def repl(m):
            name = m.group(1)
            if name not in src:
                raise ValueError(f'__assign_str({name}) without __string')
            return f'__assign_str({name}, {src[name]})'
        out.append(re.sub(r'__assign_str\(\s*(\w+)\s*\)', repl, block))
    return ''.join(out)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    for root, _, files in os.walk(src):
        for f in files:
            if not (f.endswith('.h') or f.endswith('.inc')):
                continue
            p = os.path.join(root, f)
            q = os.path.join(dst, os.path.relpath(p, src))
            os.makedirs(os.path.dirname(q), exist_ok=True)
            with open(p) as fh:
                text = fh.read()
            with open(q + '.tmp', 'w') as fh:
                fh.write(convert(text))
            os.replace(q + '.tmp', q)


if __name__ == '__main__':
    main()
