"""The list of areas the app is made of; each module's `init_app` registers its blueprint.

Kept in one place so that adding an area (admin, declaration) is one line here.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from . import admin, api, health
from .declaration import views as declaration_views

INITIALISERS: list[Callable[[Flask], None]] = [health.init_app, api.init_app,
                                              declaration_views.init_app, admin.init_app]
