"""The cookie declaration: generated from the latest scan, hosted, embeddable and exportable.

`content` builds the language-neutral declaration, `localized` puts it into nb, nn or en using
`texts`, `render` and `policy` write HTML, Markdown and JSON, and `views` serves it.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the declaration blueprint (routes and static files)."""
    from . import views

    views.init_app(app)
