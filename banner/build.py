"""Build the served banner bundle `static/consentkit.js` from `banner/src/`.

The sources are ES modules (one concern each); the bundle is one classic script: the modules in
dependency order inside one IIFE, their single-line `import` statements dropped and `export` keywords
removed, the two stylesheets embedded as the string constants CSS and PAGE_CSS, minified with the
pure-Python rjsmin/rcssmin. The bundle defines `window.ConsentKit` and does not start by itself.

    python banner/build.py           # write static/consentkit.js
    python banner/build.py --check   # exit 1 if the committed bundle differs from a fresh build
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import rcssmin
import rjsmin

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "banner" / "src"
OUT = ROOT / "static" / "consentkit.js"
MODULES = ["constants", "util", "i18n", "cookies", "consent", "consentmode", "blocking", "ui", "main"]
IMPORT = re.compile(r'^import \{[^}\n]*\} from "\./(\w+)\.js";\n', re.M)
EXPORT = re.compile(r"^export (?=const |function |let |class )", re.M)
DECLARATION = re.compile(r"^(?:export )?(?:const|let|function|class) (\w+)", re.M)
TOKEN = re.compile(
    r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`(?:[^`\\]|\\.)*`'  # strings: never touched
    r"|[A-Za-z_$][\w$]*|\d[\w.]*|\.\.\.|\s+|.",
    re.S,
)
IDENT = re.compile(r"[A-Za-z_$][\w$]*$")
# Declarations in minified code: `function f(a,b)`, `const x`, `let x`, `(a,b)=>`, `a=>`, `catch(e)`.
DECLARED = re.compile(
    r"\b(?:function|const|let)\s*([\w$]+)|\b(?:function\s*[\w$]*|catch)\s*\(([\w$,]*)\)"
    r"|\(([\w$,]*)\)=>|\b([\w$]+)=>|\b(?:const|let)\s*\[([\w$,]+)\]"
)
# Property names of the banner's own internal objects (the state, state.ui, state.act): renamed together
# with every variable of the same name. Never list a DOM, JS, config, API or consent-record name here.
INTERNAL_PROPS = {
    "cfg",
    "consent",
    "knownId",
    "listeners",
    "warned",
    "gpcDenied",
    "chain",
    "queued",
    "act",
    "ui",
    "box",
    "back",
    "pos",
    "root",
    "host",
    "create",
}
RESERVED = {
    *[
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "export",
        "extends",
        "false",
        "finally",
        "for",
    ],
    *[
        "function",
        "if",
        "import",
        "in",
        "instanceof",
        "let",
        "new",
        "null",
        "of",
        "return",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
    ],
    *["undefined", "var", "void", "while", "with", "yield", "async", "await", "arguments", "get", "set"],
}


class BuildError(Exception):
    """The sources cannot be bundled as they are: the message names the file and the problem."""


def version() -> str:
    match = re.search(r'VERSION = "([^"]+)"', (SRC / "constants.js").read_text())
    if not match:
        raise BuildError("constants.js: no VERSION constant")
    return match.group(1)


def module_body(name: str, seen: dict[str, str]) -> str:
    """One module with imports and `export` dropped, after checking its imports come earlier in MODULES."""
    text = (SRC / f"{name}.js").read_text(encoding="utf-8")
    for dep in IMPORT.findall(text):
        if dep not in MODULES[: MODULES.index(name)]:
            raise BuildError(f"{name}.js imports {dep}.js, which is not bundled before it")
    body = EXPORT.sub("", IMPORT.sub("", text))
    if re.search(r"^\s*(import|export)\b", body, re.M):
        raise BuildError(
            f'{name}.js: only single-line `import {{…}} from "./x.js";` and `export` declarations'
        )
    for decl in DECLARATION.findall(body):
        if decl in seen:
            raise BuildError(f"{name}.js declares {decl}, already declared in {seen[decl]}.js")
        seen[decl] = name
    return body


def shorten(code: str) -> str:
    """Renames our own long identifiers (declared here, never used as a property or an object key) to
    short unused ones. Token-based: strings are left alone. A name that cannot be proven safe that way
    keeps its name, so this only ever gives up size, never correctness."""
    tokens = TOKEN.findall(code)
    declared: set[str] = set()
    for groups in DECLARED.findall("".join(t for t in tokens if t[:1] not in "\"'`")):
        for group in groups:
            declared.update(n for n in group.split(",") if n)
    unsafe, stack, prev = set(RESERVED), [], ""
    solid = [t for t in tokens if not t.isspace()]
    for i, tok in enumerate(solid):
        nxt = solid[i + 1] if i + 1 < len(solid) else ""
        if tok in "([{":
            stack.append(tok)
        elif tok in ")]}" and stack:
            stack.pop()
        elif IDENT.match(tok) and (prev == "." or (stack[-1:] == ["{"] and prev in "{," and nxt in ":,}")):
            unsafe.add(tok)
        prev = tok
    # A name also used as a string (a text key, an attribute) cannot be renamed as a property.
    # "consent" is exempt: as a string it is only the gtag command.
    looked_up = {name for name in INTERNAL_PROPS - {"consent"} if f'"{name}"' in tokens}
    if looked_up:
        raise BuildError(f"INTERNAL_PROPS {sorted(looked_up)} also appear as strings")
    unsafe -= INTERNAL_PROPS
    declared |= INTERNAL_PROPS
    counts: dict[str, int] = {}
    for tok in solid:
        if tok in declared and tok not in unsafe and len(tok) > 2:
            counts[tok] = counts.get(tok, 0) + 1
    used = set(solid)
    upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    fresh = (n for n in (a + b for a in ["", *upper] for b in upper) if n not in used and n not in RESERVED)
    names = {old: next(fresh) for old in sorted(counts, key=lambda n: (-counts[n] * len(n), n))}
    names["const"] = "let"  # never reassigned (the sources use const), so let behaves the same and is shorter
    return "".join(names.get(t, t) for t in tokens)


def build() -> str:
    """The bundle's text."""
    seen: dict[str, str] = {"CSS": "build", "PAGE_CSS": "build"}
    css = rcssmin.cssmin((SRC / "banner.css").read_text(encoding="utf-8"))
    page_css = rcssmin.cssmin((SRC / "page.css").read_text(encoding="utf-8"))
    bodies = "\n".join(module_body(name, seen) for name in MODULES)
    source = (
        f'(function(){{"use strict";\nconst CSS = {json.dumps(css, ensure_ascii=False)};\n'
        f"const PAGE_CSS = {json.dumps(page_css, ensure_ascii=False)};\n{bodies}\n}})();\n"
    )
    header = f"/*! consentkit {version()} | Apache-2.0 | source: banner/src */\n"
    return header + shorten(rjsmin.jsmin(source)) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="fail if static/consentkit.js is not a fresh build"
    )
    args = parser.parse_args(argv)
    try:
        bundle = build()
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != bundle:
            print(
                f"{OUT.relative_to(ROOT)} is stale: run `python banner/build.py` and commit it",
                file=sys.stderr,
            )
            return 1
        print(f"{OUT.relative_to(ROOT)} is up to date")
        return 0
    OUT.write_text(bundle, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(bundle.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
