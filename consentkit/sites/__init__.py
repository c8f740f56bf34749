"""Sites: the registry of sites and their settings (`registry`), what a visitor is shown
(`snapshot`, whose change bumps the revision), the banner's configuration (`banner_config`) and the
rules a banner design must keep (`banner_design`).
"""
