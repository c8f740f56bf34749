"""Small named exceptions raised by the library; the CLI and the web layer translate them."""

from __future__ import annotations


class ConsentKitError(Exception):
    """Base class: every message says what went wrong and how to fix it."""


class ConfigError(ConsentKitError):
    """The configuration is invalid (a bad database URL, an unreadable instance folder)."""


class UnknownSite(ConsentKitError):
    """No site has this key; `consentkit site list` shows the keys that exist."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no site with key {key!r}; run `consentkit site list` to see the keys")
        self.key = key


class InvalidSiteSettings(ConsentKitError):
    """A site setting has a value it cannot take (an origin that is not a URL, an unknown language)."""


class UserExists(ConsentKitError):
    """An admin user with that name exists already."""


class UnknownUser(ConsentKitError):
    """No admin user has this name; `consentkit admin list-users` shows them."""

    def __init__(self, username: str) -> None:
        super().__init__(f"no admin user {username!r}; run `consentkit admin list-users` to see them")


class LastOwner(ConsentKitError):
    """The change would leave no owner, and nobody could manage users or settings any more."""


class InvalidRole(ConsentKitError):
    """A role other than owner or viewer."""


class InvalidPassword(ConsentKitError):
    """A new password is too short or too easy to guess."""


class DatabaseBusy(ConsentKitError):
    """The database did not answer within its timeout; the request can be retried (503)."""
