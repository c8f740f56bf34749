"""Flask-WTF forms of the admin UI. Every form that changes something carries a CSRF token.

The site settings are validated by `consentkit.sites.registry` (the same validators as the CLI); the form
only turns text inputs into the values those validators take.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..consentlog.queries import METHODS
from ..declaration import owner_texts
from ..models import CATEGORIES, OPTIONAL_CATEGORIES, ROLES
from ..sites import registry as sites


def options(*values: str | tuple[str, str]) -> list[SelectChoice]:
    """Choices as WTForms 3.3 wants them; a bare string is its own label."""
    return [SelectChoice(v) if isinstance(v, str) else SelectChoice(*v) for v in values]


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes (a multiple select is awkward without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=150)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class ActionForm(FlaskForm):
    """A button that posts: only the CSRF token (logout, start a scan again)."""


ROLE_CHOICES = options(("owner", "owner: may change everything"),
                       ("viewer", "viewer: reads, cannot change or export"))


class NewUserForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=150)])
    password = PasswordField("Password (at least 12 characters)",
                             validators=[DataRequired(), Length(max=1024)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="viewer")


class PasswordResetForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=1024)])


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=options(*ROLES))


class ConfirmForm(FlaskForm):
    """A destructive action: `confirm` is "yes" only from the confirmation page's button."""

    confirm = HiddenField(default="")


class SiteForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    origins = TextAreaField("Origins (one per line)", validators=[DataRequired()])
    allow_subdomains = BooleanField("Also allow subdomains of these origins")
    languages = CheckboxesField("Languages", choices=options(*sites.LANGUAGES))
    default_language = SelectField("Default language", choices=options(*sites.LANGUAGES))
    categories = CheckboxesField("Optional categories asked for",
                                 choices=options(*OPTIONAL_CATEGORIES))
    consent_lifetime_days = IntegerField("Consent lifetime (days)", default=365,
                                         validators=[InputRequired(), NumberRange(1, 3650)])
    privacy_policy_url = StringField("Privacy policy URL", validators=[Optional(), Length(max=2048)])
    consent_mode = BooleanField("Send Google Consent Mode v2 signals")
    gpc_policy = SelectField("What Global Privacy Control denies",
                             choices=options(*sites.GPC_POLICIES))
    cookie_name = StringField("Consent cookie name", default="consentkit",
                              validators=[DataRequired(), Length(max=64)])
    cookie_domain = StringField("Consent cookie domain", validators=[Optional(), Length(max=253)])
    retention_days = IntegerField("Keep consent records (days)", default=5 * 365,
                                  validators=[InputRequired(), NumberRange(1, 36500)])
    ip_mode = SelectField("Client IP kept as", choices=options(*sites.IP_MODES))
    # Optional: a form posted without it (an older script) leaves the schedule as it is.
    rescan = SelectField("Rescan every origin", choices=options(*sites.RESCANS), validators=[Optional()])
    notify_emails = TextAreaField("E-mail when a scan finds something new (addresses, one per line)",
                                  validators=[Optional(), Length(max=4000)])
    webhook_url = StringField("Webhook URL (signed JSON POST when a scan finds something new)",
                              validators=[Optional(), Length(max=2048)])
    controller_name = StringField("Controller (company or person responsible, GDPR art. 13)",
                                  validators=[Optional(), Length(max=200)])
    controller_org_number = StringField("Controller's organisation number",
                                        validators=[Optional(), Length(max=40)])
    controller_address = StringField("Controller's address", validators=[Optional(), Length(max=300)])
    controller_email = StringField("Contact e-mail for privacy questions",
                                   validators=[Optional(), Length(max=254)])

    def settings(self) -> dict[str, Any]:
        """The values as `sites.create_site` / `edit_site` take them; raises InvalidSiteSettings.
        Banner texts and appearance are the banner editor's (`admin.banner`), not this form's."""
        data = {name: getattr(self, name).data for name in sites.FIELDS if name in self}
        if "origins" in data:
            data["origins"] = [line for line in (data["origins"] or "").splitlines() if line.strip()]
        for name in sites.NULLABLE:
            data[name] = (data[name] or "").strip() or None
        return data

    def fill(self, site: Any) -> None:
        for name in sites.FIELDS:
            if name in self:
                getattr(self, name).data = getattr(site, name)
        self.notify_emails.data = "\n".join(site.notify_emails or [])


class EditSiteForm(SiteForm):
    """A site's settings after it exists: origins are added and removed one at a time
    (`OriginForm`), so an edit can never drop the ones visitors use."""

    origins = None  # type: ignore[assignment]


class DeleteSiteForm(FlaskForm):
    confirm_key = StringField("Type the site's key to confirm", validators=[DataRequired(), Length(max=64)])


class OriginForm(FlaskForm):
    """Add one origin, or (with `confirm` after a warning) remove one."""

    origin = StringField("Origin", validators=[DataRequired(), Length(max=300)])
    confirm = HiddenField(default="")


OUTCOMES = options(("", "any"), ("yes", "accepted"), ("no", "refused"), ("unasked", "not asked"))


class LogFilterForm(FlaskForm):
    """The consent log's filters: a GET form, so no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])
    method = SelectField("Method", choices=options(("", "any"), *METHODS),
                         validators=[Optional()])
    functional = SelectField("Functional", choices=OUTCOMES, validators=[Optional()])
    analytics = SelectField("Analytics", choices=OUTCOMES, validators=[Optional()])
    marketing = SelectField("Marketing", choices=OUTCOMES, validators=[Optional()])
    language = StringField("Language", validators=[Optional(), Length(max=8)])
    consent_id = StringField("Consent ID", validators=[Optional(), Length(max=64)])


class StatsRangeForm(FlaskForm):
    class Meta:
        csrf = False

    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])


CATEGORY_PROMPT = "choose a category: " + ", ".join(CATEGORIES)


class OverrideForm(FlaskForm):
    """The owner's classification of an item: no category is preselected (a guess left standing is
    not a decision), and it applies to this name only or to every name matching a pattern."""

    name = StringField("Name", validators=[DataRequired(), Length(max=255)])
    kind = SelectField("Kind", choices=options("cookie", "localStorage", "sessionStorage", "indexedDB"))
    match = SelectField("Apply to", choices=options(("exact", "this name only"),
                                                    ("prefix", "every name matching the pattern")))
    pattern = StringField("Pattern (a name ending in *)", validators=[Optional(), Length(max=255)])
    category = SelectField("Category", choices=options(("", "— choose —"), *CATEGORIES), default="",
                           validators=[DataRequired(message=CATEGORY_PROMPT)])
    provider = StringField("Provider", validators=[Optional(), Length(max=200)])
    purpose_en = TextAreaField("Purpose (English)", validators=[DataRequired(), Length(max=2000)])
    purpose_nb = TextAreaField("Purpose (bokmål)", validators=[Optional(), Length(max=2000)])
    purpose_nn = TextAreaField("Purpose (nynorsk)", validators=[Optional(), Length(max=2000)])


_TEXT = Length(max=owner_texts.MAX_LENGTH)


class DeclarationTextsForm(FlaskForm):
    """The owner's intro and closing of the declaration per language; empty keeps ours."""

    intro_nb = TextAreaField("Intro (bokmål); empty keeps ours", validators=[Optional(), _TEXT])
    closing_nb = TextAreaField("Closing (bokmål)", validators=[Optional(), _TEXT])
    intro_nn = TextAreaField("Intro (nynorsk); empty keeps ours", validators=[Optional(), _TEXT])
    closing_nn = TextAreaField("Closing (nynorsk)", validators=[Optional(), _TEXT])
    intro_en = TextAreaField("Intro (English); empty keeps ours", validators=[Optional(), _TEXT])
    closing_en = TextAreaField("Closing (English)", validators=[Optional(), _TEXT])

    def texts(self) -> dict[str, dict[str, str]]:
        return {lang: {part: getattr(self, f"{part}_{lang}").data or "" for part in owner_texts.PARTS}
                for lang in owner_texts.LANGUAGES}

    def fill(self, texts: dict[str, dict[str, str]]) -> None:
        for lang in owner_texts.LANGUAGES:
            for part in owner_texts.PARTS:
                getattr(self, f"{part}_{lang}").data = (texts.get(lang) or {}).get(part, "")



class ScanForm(FlaskForm):
    url = URLField("Start URL (empty: every origin)",
                   validators=[Optional(), URL(require_tld=False), Length(max=2048)])
    max_pages = IntegerField("Max pages", default=50, validators=[InputRequired(), NumberRange(1, 1000)])
