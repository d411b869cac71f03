#!/usr/bin/env python3
"""structure.py - the shape of the code that the compiler does not check.

1. The files of api/ call each other without a circle: the graph of
   "a.c calls a function that b.c defines" (and of the headers' #include
   lines) has no cycle, so each file can be read knowing only the files
   below it.
2. No .c file (api/, engine/, indexer/, tests/, bench/) declares a
   function that another file defines: a prototype belongs in a header (declaring one in
   a .c file hides a dependency, and often a circle, from the reader).

Usage: structure.py SOURCE_DIR. Exits 1 naming every problem as FILE:LINE.
"""
import os
import re
import sys

IDENT = re.compile(r'[A-Za-z_]\w*')
KEYWORDS = {'if', 'while', 'for', 'switch', 'return', 'sizeof', 'do', 'else',
            'case', 'defined', '_Alignof', 'alignof', '__attribute__',
            '_Static_assert', 'static_assert', 'typedef', 'goto'}


def strip(text):
    """The text with comments, strings, character constants and preprocessor
    lines blanked out (newlines kept, so line numbers stay)."""
    out = []
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and c == '#':
            # A directive, with its continuation lines.
            j = i
            while j < n and text[j] != '\n':
                if text[j] == '\\' and j + 1 < n and text[j + 1] == '\n':
                    out.append('\n')
                    j += 2
                    continue
                j += 1
            i = j
            continue
        if c == '/' and text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
            continue
        if c == '/' and text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            i = j
            continue
        if c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append(c + ' ' * 0 + c)
            out.append('\n' * text.count('\n', i, j))
            i = j + 1
            at_line_start = False
            continue
        out.append(c)
        if c == '\n':
            at_line_start = True
        elif not c.isspace():
            at_line_start = False
        i += 1
    return ''.join(out)


def top_level(text):
    """(name, line, kind, is_static) of every function declared or defined
    at file scope: kind 'def' or 'decl'."""
    found = []
    depth = 0
    stmt_start = 0  # where the current file-scope declaration began
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '{':
            if depth == 0:
                head = text[stmt_start:i]
                m = re.search(r'([A-Za-z_]\w*)\s*\(([^()]|\([^()]*\))*\)\s*$', head)
                if m and m.group(1) not in KEYWORDS and '=' not in head:
                    found.append((m.group(1), text.count('\n', 0, stmt_start + m.start(1)) + 1,
                                  'def', re.search(r'\bstatic\b', head) is not None))
            depth += 1
        elif c == '}':
            depth -= 1
            if depth == 0:
                stmt_start = i + 1
        elif c == ';' and depth == 0:
            head = text[stmt_start:i]
            if '=' not in head and not re.match(r'\s*(typedef|struct|enum|union)\b', head):
                m = re.search(r'([A-Za-z_]\w*)\s*\(([^()]|\([^()]*\))*\)\s*'
                              r'(__attribute__\s*\(\(.*\)\)|VP_NOEXCEPT)?\s*$', head, re.S)
                # A declarator "name(...)" not of the shape "(*name)(...)".
                if m and m.group(1) not in KEYWORDS and not re.search(r'\(\s*\*\s*$', head[:m.start(1)]):
                    found.append((m.group(1), text.count('\n', 0, stmt_start + m.start(1)) + 1,
                                  'decl', re.search(r'\bstatic\b', head) is not None))
            stmt_start = i + 1
        i += 1
    return found


def c_files(root, folders):
    for folder in folders:
        for dirpath, _, names in os.walk(os.path.join(root, folder)):
            for name in sorted(names):
                if name.endswith('.c'):
                    yield os.path.join(dirpath, name)


def find_cycle(graph):
    """One cycle of `graph` (node -> set of nodes) as a list, or None."""
    colour = {}
    stack = []

    def visit(u):
        colour[u] = 1
        stack.append(u)
        for v in sorted(graph.get(u, ())):
            if colour.get(v) == 1:
                return stack[stack.index(v):] + [v]
            if v not in colour:
                c = visit(v)
                if c:
                    return c
        stack.pop()
        colour[u] = 2
        return None

    for u in sorted(graph):
        if u not in colour:
            c = visit(u)
            if c:
                return c
    return None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else '.'
    problems = []

    # Every function defined with external linkage, by the file defining it.
    sources = {}
    defined_in = {}
    for path in c_files(root, ['api', 'engine', 'indexer', 'tests', 'bench']):
        with open(path, encoding='utf-8', errors='replace') as f:
            sources[path] = strip(f.read())
        for name, line, kind, static in top_level(sources[path]):
            if kind == 'def' and not static:
                defined_in.setdefault(name, path)

    # 2. Prototypes inside .c files.
    for path, text in sources.items():
        here = {name for name, _, kind, _ in top_level(text) if kind == 'def'}
        for name, line, kind, static in top_level(text):
            # __real_f is how a test reaches f under the linker's --wrap=f.
            if kind == 'decl' and name not in here and not name.startswith('__real_'):
                rel = os.path.relpath(path, root)
                where = defined_in.get(name)
                what = ('defined in ' + os.path.relpath(where, root)) if where else 'defined elsewhere'
                problems.append(f'{rel}:{line}: prototype of {name} ({what}): declare it in a header')

    # 1. Calls between the files of api/, and includes between its headers.
    api = os.path.join(root, 'api')
    graph = {}
    why = {}
    for path, text in sources.items():
        if os.path.dirname(path) != api:
            continue
        graph.setdefault(path, set())
        for word in set(IDENT.findall(text)):
            other = defined_in.get(word)
            if other and other != path and os.path.dirname(other) == api:
                graph[path].add(other)
                why.setdefault((path, other), word)
    for name in sorted(os.listdir(api)):
        if not name.endswith(('.c', '.h')):
            continue
        path = os.path.join(api, name)
        with open(path, encoding='utf-8', errors='replace') as f:
            for line in f:
                m = re.match(r'\s*#\s*include\s*"([^"]+)"', line)
                if m and os.path.exists(os.path.join(api, m.group(1))):
                    target = os.path.join(api, m.group(1))
                    graph.setdefault(path, set()).add(target)
                    why.setdefault((path, target), '#include')
    cycle = find_cycle(graph)
    if cycle:
        steps = ' -> '.join(f'{os.path.relpath(a, root)} ({why[(a, b)]})'
                            for a, b in zip(cycle, cycle[1:]))
        problems.append(f'{os.path.relpath(cycle[0], root)}:1: files of api/ call each other in a '
                        f'circle: {steps} -> {os.path.relpath(cycle[-1], root)}')

    for p in problems:
        print(p)
    if problems:
        return 1
    print(f'structure: {len(sources)} files, api/ calls form no circle, no prototype '
          f'of another file\'s function in a .c file')
    return 0


if __name__ == '__main__':
    sys.exit(main())
