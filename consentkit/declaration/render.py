"""Render a localized declaration (see `localized.py`) as an HTML fragment, Markdown or JSON.

Every string in the view is untrusted: cookie names, domains and purposes come from scanned sites.
Jinja autoescapes the HTML; Markdown gets `md_escape`, which backslash-escapes every character that
can start markup, so a cookie named `<script>` or `a|b` stays one table cell of plain text.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import render_template

# Inline markup starts with one of these; `(`, `)`, `!` and `#` only matter after them or at the
# start of a line, which `md_block` handles. `&` is escaped so that entities stay literal.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_MD_LINE_START = re.compile(r"^(\s*)([#=+\-]|\d+[.)])")


def md_escape(value: Any) -> str:
    """Plain text safe inside a Markdown table cell or paragraph: one line, no markup."""
    text = " ".join(str(value if value is not None else "").split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_block(value: Any) -> str:
    """Like `md_escape`, and a line that would start a heading or a list is kept a paragraph."""
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), md_escape(value), count=1)


def md_link(text: Any, url: str) -> str:
    """A link whose text and destination are both escaped (the destination in angle brackets)."""
    return f"[{md_escape(text)}](<{md_escape(url)}>)"


def _cell(item: dict[str, Any], column: str) -> str:
    value = item[column]
    if column == "lifetime" and item.get("lifetime_note"):
        value = f"{value} ({item['lifetime_note']})"
    return md_escape(value) or " "


def md_table(view: dict[str, Any], items: list[dict[str, Any]]) -> list[str]:
    columns = list(view["columns"])
    lines = ["| " + " | ".join(md_escape(view["columns"][c]) for c in columns) + " |",
             "|" + "|".join(" --- " for _ in columns) + "|"]
    for item in items:
        lines.append("| " + " | ".join(_cell(item, c) for c in columns) + " |")
    return lines


def legal_markdown(legal: dict[str, Any], heading_level: int) -> list[str]:
    """The legal part (declaration/legal.py) as Markdown: withdrawal first, with its working link."""
    h = "#" * heading_level
    w = legal["withdraw"]
    lines = [f"{h} {md_escape(w['title'])}", "", md_block(w["text"]), "", md_link(w["link"], w["href"]), ""]
    if legal["controller"]:
        c = legal["controller"]
        text = md_block(c["text"])
        if c["email"]:
            before, _, after = c["email_text"].partition(c["email"])
            text += f" {md_escape(before)} {md_link(c['email'], 'mailto:' + c['email'])}{md_escape(after)}"
        lines += [f"{h} {md_escape(c['title'])}", "", text, ""]
    providers = legal["providers"]
    if providers["items"]:
        lines += [f"{h} {md_escape(providers['title'])}", "", md_block(providers["intro"]), ""]
        for p in providers["items"]:
            line = f"- **{md_escape(p['name'])}**"
            for part in ("place", "transfer"):
                if p[part]:
                    line += " " + md_escape(p[part])
            if p["privacy_url"]:
                line += " " + md_link(providers["privacy_label"], p["privacy_url"])
            lines.append(line)
        lines.append("")
    log, complaint = legal["consent_log"], legal["complaint"]
    lines += [f"{h} {md_escape(log['title'])}", "", md_block(log["text"]), "",
              f"{h} {md_escape(complaint['title'])}", "",
              f"{md_block(complaint['text'])} {md_link(complaint['link'], complaint['url'])}", ""]
    return lines


def markdown(view: dict[str, Any], heading_level: int = 1) -> str:
    """The declaration as CommonMark with GFM tables, for owners who paste it into a CMS."""
    h = "#" * heading_level
    lines = [f"{h} {md_escape(view['title'])}", ""]
    for paragraph in view["intro"]:
        lines += [md_block(paragraph), ""]
    lines += [f"*{md_escape(view['scan_info'])}*", ""]
    if view["empty"] and view["scan"] is not None:
        lines += [md_block(view["empty"]), ""]
    for section in view["sections"]:
        lines += [f"{h}# {md_escape(section['title'])}", "", md_block(section["description"]), "",
                  f"**{md_escape(view['legal_basis_label'])}:** {md_escape(section['legal_basis'])}", ""]
        lines += md_table(view, section["items"])
        lines.append("")
    if view["sections"]:
        lines += [md_block(view["legal"]["storage"]), ""]
    lines += legal_markdown(view["legal"], heading_level + 1)
    lines += [line for paragraph in view["closing"] for line in (md_block(paragraph), "")]
    return "\n".join(lines).rstrip() + "\n"


def html_fragment(view: dict[str, Any], heading_level: int = 2, marks: bool = False) -> str:
    """The declaration as an HTML fragment (no scripts) to paste into a page; needs an app context.

    `marks` (the admin's preview) flags each purpose that is a generated sentence.
    """
    return render_template("declaration/_declaration.html", view=view, h=heading_level, panel=False,
                           marks=marks)


def json_text(view: dict[str, Any]) -> str:
    """The localized declaration as JSON (machine-readable; the consent panel texts left out)."""
    data = {key: value for key, value in view.items() if key != "panel"}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def script_json(data: Any) -> str:
    """JSON that is also safe inside a <script> element or a JS file included inline by an owner."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text
