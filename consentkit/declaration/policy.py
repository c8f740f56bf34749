"""The ready-made cookie section for the owner's privacy policy, in Markdown and HTML.

Shorter than the declaration: the categories in use, their legal basis and providers, with a link
to the full declaration for the item-by-item list; then the same legal part as the declaration
(withdrawal, controller, providers and transfers, the consent log, the right to complain).
"""

from __future__ import annotations

from typing import Any

from flask import render_template

from .render import legal_markdown, md_block, md_escape, md_link
from .texts import texts


def policy_view(view: dict[str, Any]) -> dict[str, Any]:
    """What the policy section says, from a localized declaration."""
    t = texts(view["lang"])["policy"]
    return {
        "lang": view["lang"],
        "title": t["title"],
        "intro": t["intro"].format(site=view["site"]["name"]),
        "providers_label": t["providers"],
        "legal_basis_label": view["legal_basis_label"],
        "categories": [{"title": s["title"], "legal_basis": s["legal_basis"],
                        "providers": s["providers"]} for s in view["sections"]],
        "full_list": t["full_list"],
        "declaration_url": view["declaration_url"],
        "legal": view["legal"],
    }


def policy_markdown(view: dict[str, Any], heading_level: int = 2) -> str:
    p = policy_view(view)
    h = "#" * heading_level
    lines = [f"{h} {md_escape(p['title'])}", "", md_block(p["intro"]), ""]
    for cat in p["categories"]:
        line = f"- **{md_escape(cat['title'])}.** {md_escape(cat['legal_basis'])}"
        if cat["providers"]:
            line += f" {md_escape(p['providers_label'])}: {md_escape(', '.join(cat['providers']))}."
        lines.append(line)
    lines.append("")
    if p["declaration_url"]:
        url = p["declaration_url"]
        lines += [f"{md_block(p['full_list'])} {md_link(url, url)}", ""]
    lines += legal_markdown(p["legal"], heading_level + 1)
    return "\n".join(lines).rstrip() + "\n"


def policy_html(view: dict[str, Any], heading_level: int = 2) -> str:
    """The policy section as an HTML fragment; needs an app context (it is a Jinja template)."""
    return render_template("declaration/_policy.html", policy=policy_view(view), h=heading_level)
