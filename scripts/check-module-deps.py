#!/usr/bin/python3
"""Checks that each module under src/ includes only the modules its README allows.

Each src/<module>/README.md has a paragraph starting "May depend on:"; every module named in
it (or "every module") is allowed. Includes of the form #include "<module>/..." in the
module's sources (tests excluded: a test may reach further to set things up) must name an
allowed module. Known exceptions, each with the issue that removes it, are read from
scripts/module-deps-exceptions.txt ("<including file> <included header>  # reason").

Usage: check-module-deps.py SRC_DIR [EXCEPTIONS_FILE]. Exits 1 and lists each violation.
"""
import pathlib
import re
import sys


def allowed_modules(readme: str, modules: set):
    match = re.search(r"May depend on:(.*?)(?:\n\s*\n|\Z)", readme, re.S)
    if not match:
        return None
    text = " ".join(match.group(1).split())
    if re.search(r"\bevery module\b", text):
        return set(modules)
    return {m for m in modules if re.search(r"(?<![\w/])" + re.escape(m) + r"\b", text)}


def main() -> int:
    src = pathlib.Path(sys.argv[1])
    exceptions = set()
    if len(sys.argv) > 2:
        for line in pathlib.Path(sys.argv[2]).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                including, included = line.split()
                exceptions.add((including, included))
    modules = {p.name for p in src.iterdir() if (p / "README.md").is_file()}
    problems = []
    for module in sorted(modules):
        allowed = allowed_modules((src / module / "README.md").read_text(), modules)
        if allowed is None:
            problems.append(f"src/{module}/README.md: no 'May depend on:' paragraph")
            continue
        for path in sorted((src / module).rglob("*")):
            if path.suffix not in (".cc", ".h") or "tests" in path.relative_to(src / module).parts:
                continue
            relative = str(path.relative_to(src))
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                include = re.match(r'\s*#\s*include\s+"([^"/]+)/([^"]+)"', line)
                if not include or include.group(1) == module or include.group(1) not in modules:
                    continue
                target = include.group(1)
                header = f"{target}/{include.group(2)}"
                if target in allowed:
                    continue
                if (relative, header) in exceptions:
                    continue
                problems.append(f"src/{relative}:{number}: includes {header}, but "
                                f"src/{module}/README.md does not allow {target}")
    for problem in problems:
        print(problem)
    print(f"module dependencies: {len(modules)} modules checked, {len(problems)} violation(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
