"""What a viewer may not do: change anything, export the consent log, or open the pages that only
exist to change things. The check runs on every admin request once the user is known
(`auth.require_sign_in`), so a view cannot forget it; templates hide the same controls with
`can_change()`.
"""

from __future__ import annotations

from flask import abort, g, request

from ..models import User
from .blueprint import bp

# GET pages that only serve to change something, or that hand out the log.
OWNER_ONLY_PAGES = frozenset({
    "admin.consent_export", "admin.site_new", "admin.site_edit", "admin.user_list",
    "admin.banner_edit", "admin.site_delete",
})
# POSTs anyone signed in may make: signing out, and the preview banner's discarded consents.
ANYONE_MAY_POST = frozenset({"admin.logout", "admin.banner_preview_sink"})
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def is_owner(user: User | None) -> bool:
    return user is not None and user.role == "owner"


def check(user: User) -> None:
    """403 for a viewer's change or export; owners pass."""
    if is_owner(user):
        return
    if request.endpoint in OWNER_ONLY_PAGES or (
            request.method not in SAFE_METHODS and request.endpoint not in ANYONE_MAY_POST):
        abort(403, description="Your role is viewer: you can read the admin, but only an owner can "
                               "change settings, manage users or export the consent log.")


def can_change() -> bool:
    """For templates: show the controls that change things (owners only)."""
    return is_owner(getattr(g, "user", None))


bp.add_app_template_global(can_change, "can_change")
