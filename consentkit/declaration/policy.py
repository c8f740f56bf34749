"""The ready-made cookie section for the owner's privacy policy, in Markdown and HTML.

Shorter than the declaration: the categories in use, their legal basis, who the providers are, and
how to change consent, with a link to the full declaration for the item-by-item list.
"""

from __future__ import annotations

from typing import Any

from flask import render_template

from .render import md_block, md_escape
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
        "change_title": t["change_title"],
        "change": t["change"],
        "full_list": t["full_list"],
        "declaration_url": view["declaration_url"],
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
    lines += ["", f"{h}# {md_escape(p['change_title'])}", "", md_block(p["change"]), ""]
    if p["declaration_url"]:
        url = p["declaration_url"]
        lines += [f"{md_block(p['full_list'])} [{md_escape(url)}](<{md_escape(url)}>)", ""]
    return "\n".join(lines).rstrip() + "\n"


def policy_html(view: dict[str, Any], heading_level: int = 2) -> str:
    """The policy section as an HTML fragment; needs an app context (it is a Jinja template)."""
    return render_template("declaration/_policy.html", policy=policy_view(view), h=heading_level)
