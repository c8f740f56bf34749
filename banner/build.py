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
# Declarations in minified code: `function f(a,b)`, `const x`, `let x`, `(a,...b)=>`, `a=>`, `catch(e)`,
# `const [a,b]`. Separate patterns, so a function's name and its parameters are both found.
DECLARED = [
    re.compile(r"\b(?:function|const|let)\s*([\w$]+)"),
    re.compile(r"\b(?:function\s*[\w$]*|catch)\s*\(([\w$,.]*)\)"),
    re.compile(r"\(([\w$,.]*)\)=>"),
    re.compile(r"\b([\w$]+)=>"),
    re.compile(r"\b(?:const|let)\s*\[([\w$,]+)\]"),
]
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
    """Renames our own long identifiers (declared here: functions, variables, parameters) to short
    unused ones. Token-based: strings are left alone, and so are property names (after `.`) and
    object keys (before `:`), so a variable may share its name with a property and still shrink.
    A name in a position that is both (shorthand `{name}`, a method `{name(){}}`) cannot be proven
    safe and keeps its name everywhere: this only ever gives up size, never correctness."""
    tokens = TOKEN.findall(code)
    if any(t[:1] == "`" and "${" in t for t in tokens):
        raise BuildError("template literals with ${…} hide identifiers from the renamer; use +")
    declared: set[str] = set()
    code_only = "".join(t for t in tokens if t[:1] not in "\"'`")
    for pattern in DECLARED:
        for group in pattern.findall(code_only):
            declared.update(n.removeprefix("...") for n in group.split(",") if n)
    solid = [i for i, t in enumerate(tokens) if not t.isspace()]
    keep, unsafe = _property_positions(tokens, solid)
    # A name also used as a string (a text key, an attribute) cannot be renamed as a property.
    # "consent" is exempt: as a string it is only the gtag command.
    looked_up = {name for name in INTERNAL_PROPS - {"consent"} if f'"{name}"' in tokens}
    if looked_up:
        raise BuildError(f"INTERNAL_PROPS {sorted(looked_up)} also appear as strings")
    unsafe = (unsafe | RESERVED) - INTERNAL_PROPS
    keep = {i for i in keep if tokens[i] not in INTERNAL_PROPS}
    declared |= INTERNAL_PROPS
    counts: dict[str, int] = {}
    for i in solid:
        tok = tokens[i]
        if tok in declared and tok not in unsafe and len(tok) > 1 and i not in keep:
            counts[tok] = counts.get(tok, 0) + 1
    used = {tokens[i] for i in solid}
    letters = "ensriatoclduhpmgfbkvwyzxjqENSRIATOCLDUHPMGFBKVWYZXJQ"  # common letters first: gzips better
    pairs = (a + b for a in ["", *letters] for b in letters)
    fresh = (n for n in pairs if n not in used and n not in RESERVED)
    names = {old: next(fresh) for old in sorted(counts, key=lambda n: (-counts[n], n))}
    names["const"] = "let"  # never reassigned (the sources use const), so let behaves the same and is shorter
    names["true"], names["false"] = "!0", "!1"  # only in value positions: property names are kept
    return "".join(t if i in keep else names.get(t, t) for i, t in enumerate(tokens))


def _property_positions(tokens: list[str], solid: list[int]) -> tuple[set[int], set[str]]:
    """Token indexes that are property names (`.x`, `{x: …}`), which renaming skips, and names
    that also sit where a property and a variable are one token (`{x}`, `{x(){}}`): never renamed.
    (Writing `{x}` out as `{x:y}` was tried: it costs more bytes than the renaming saves.)"""
    keep: set[int] = set()
    unsafe: set[str] = set()
    stack: list[str] = []
    prev = ""
    for n, i in enumerate(solid):
        tok = tokens[i]
        nxt = tokens[solid[n + 1]] if n + 1 < len(solid) else ""
        if tok in "([{":
            stack.append(tok)
        elif tok in ")]}" and stack:
            stack.pop()
        elif IDENT.match(tok):
            if prev == ".":
                keep.add(i)
            elif stack[-1:] == ["{"] and prev in "{,":
                if nxt == ":":
                    keep.add(i)
                elif nxt in (",", "}", "("):
                    unsafe.add(tok)
        prev = tok
    return keep, unsafe


# Tokens after which a string starts its own operand, so `"a"+"b"` there is one string.
_STARTS_OPERAND = {"(", "[", "{", ",", ":", "=", "?", ";", "+", "return"}


def join_strings(code: str) -> str:
    """`"a "+"b"` (long texts split over source lines) as `"a b"`, unless a member access follows."""
    out: list[str] = []
    tokens = TOKEN.findall(code)
    for i, tok in enumerate(tokens):
        follows = tokens[i + 1] if i + 1 < len(tokens) else ""
        before = out[-3] if len(out) >= 3 else "("
        if (tok[:1] == '"' and len(out) >= 2 and out[-1] == "+" and out[-2][:1] == '"'
                and follows not in (".", "[", "(") and before in _STARTS_OPERAND):
            out[-2:] = [out[-2][:-1] + tok[1:]]
        else:
            out.append(tok)
    return "".join(out)


def drop_separators(code: str) -> str:
    """Drops a `;` right before `}` (the block ends the statement anyway), a trailing `,` in an
    object or array literal (`{a:1,}`) unless it follows another comma (`[a,,]` has a hole), and
    the parentheses around a single arrow-function parameter."""
    tokens = TOKEN.findall(code)
    out: list[str] = []
    for i, tok in enumerate(tokens):
        follows = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok == ";" and follows == "}":
            continue
        if tok == "," and follows in ("}", "]") and out and out[-1] not in (",", "["):
            continue
        if (tok == "(" and tokens[i + 2:i + 5] == [")", "=", ">"] and IDENT.match(follows)
                and not (out and IDENT.match(out[-1]))):  # `(a)=>` is `a=>`, but not `async(a)=>`
            tokens[i + 2] = ""
            continue
        out.append(tok)
    return "".join(out)


def loosen_typeof(code: str) -> str:
    """`typeof x==="s"` as `typeof x=="s"`: both sides are strings, so == and === agree."""
    tokens = TOKEN.findall(code)
    for i, tok in enumerate(tokens):
        if tok != "typeof" or (i and tokens[i - 1] in ("+", "-", "*", "/", "%")):
            continue
        j = i + 1
        while j < len(tokens) and (tokens[j].isspace() or IDENT.match(tokens[j]) or tokens[j] == "."):
            j += 1
        if tokens[j:j + 3] in (["=", "=", "="], ["!", "=", "="]) and tokens[j + 3][:1] == '"':
            tokens[j + 2] = ""
    return "".join(tokens)


def merge_lets(code: str) -> str:
    """`let a=1;let b=2;` as `let a=1,b=2;` when both statements sit in the same block: the
    declarations run in the same order, and each still sees the ones before it."""
    tokens = TOKEN.findall(code)
    solid = [i for i, t in enumerate(tokens) if not t.isspace()]
    is_let: dict[int, bool] = {}
    depth, prev = 0, ";"
    for n, i in enumerate(solid):
        tok = tokens[i]
        if not tok:  # a `let` merged away
            continue
        if tok in ("(", "[", "{"):
            depth += 1
        elif tok in (")", "]", "}"):
            is_let.pop(depth, None)
            depth -= 1
        elif tok == "let" and prev in (";", "{", "}"):
            is_let[depth] = True
        elif tok == ";":
            nxt = solid[n + 1] if n + 1 < len(solid) else None
            if is_let.get(depth) and nxt is not None and tokens[nxt] == "let" and prev != ";":
                tokens[i], tokens[nxt] = ",", ""
                while tokens[nxt + 1].isspace():  # `let x` -> `x`: the space goes with the keyword
                    nxt += 1
                    tokens[nxt] = ""
                prev = "let"
                continue
            is_let[depth] = False
        prev = tok
    return "".join(tokens)


def join_lines(code: str) -> str:
    """Drops the line breaks rjsmin keeps after `}`, `;` and `{`. Automatic semicolon insertion
    never applies after those (a statement already ended there, or the next token continues the
    expression either way), so the code parses the same; rjsmin keeps them to be safe for code
    that leaves semicolons out, which ours does not."""
    return re.sub(r"(?<=[};{])\n(?![+-])", "", code)


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
    header = f"/*! consentkit {version()} Apache-2.0 */\n"
    code = shorten(join_strings(rjsmin.jsmin(source)))
    return header + join_lines(merge_lets(loosen_typeof(drop_separators(code)))) + "\n"


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
