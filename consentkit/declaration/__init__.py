"""The cookie declaration: generated from the latest scan, hosted, embeddable and exportable.

`content` builds the language-neutral declaration, `localized` puts it into nb, nn or en using
`texts`, `render` and `policy` write HTML, Markdown and JSON, and `views` serves it (its
`init_app` is listed in `consentkit.areas`). The package itself imports nothing: `sites` and the
banner configuration use its texts, and the views use `sites`, so importing the views here made a
cycle.
"""
