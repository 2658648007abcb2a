"""Form plumbing shared by the admin views.

Every admin form derives from StaffForm, so every POST (sign-in, sign-out, edits, action
buttons) carries a CSRF token tied to the signed session cookie. Field checks reuse the
import's rules (tabular_schema), so staff cannot save a phone number or web address that an
import would refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_admin.form import SecureForm, rules
from wtforms import Field, HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from services_directory.vocabulary import VERIFICATION_METHOD_LABELS, VERIFICATION_METHODS

FORM_EXPIRED = ("This form had expired or did not come from this site. "
                "Nothing was changed: please try again.")


class StaffForm(SecureForm):
    """CSRF via the session; the token lasts as long as the sign-in, so a long edit is not
    thrown away by an expired token."""

    class Meta:
        @property
        def csrf_time_limit(self) -> timedelta:
            return current_app.permanent_session_lifetime


class SchemaCheck:
    """Runs one of tabular_schema's checks (which return a reason or None) on a field. The
    import's reasons are written for data files; `message`, when given, says in plain words
    what to type instead, which is what an officer needs."""

    def __init__(self, check: Callable[[Any], str | None], message: str | None = None) -> None:
        self.check = check
        self.message = message

    def __call__(self, _form: Any, field: Field) -> None:
        value = field.data
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            return
        reason = self.check(value)
        if reason:
            raise ValidationError(self.message or reason)


class KeepHidden(rules.BaseRule):
    """Names hidden fields in a form ruleset. Flask-Admin deletes every field a ruleset does
    not name, the CSRF token included, which would silently switch CSRF off; the template
    already renders hidden fields, so this rule renders nothing itself."""

    def __init__(self, *names: str) -> None:
        super().__init__()
        self.names = names

    @property
    def visible_fields(self) -> list[str]:
        return list(self.names)

    def __call__(self, form: Any, form_opts: Any = None, field_args: Any = None) -> str:
        return ""


def clean_text(value: Any) -> Any:
    """Browsers send CRLF line ends and stray spaces; stored text has neither, so saving an
    untouched form changes nothing."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value


def strip_or_none(value: Any) -> Any:
    """Empty text is stored as NULL, as the import stores an empty cell."""
    value = clean_text(value)
    return value or None if isinstance(value, str) else value


def csrf_failed(form: SecureForm) -> bool:
    field = getattr(form, "csrf_token", None)
    return bool(field is not None and field.errors)


class LoginForm(StaffForm):
    email = StringField("Email", validators=[InputRequired(), Length(max=255)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=1024)])


class CodeForm(StaffForm):
    code = StringField("6-digit code from your authenticator app",
                       validators=[InputRequired(), Length(max=20)])


class LogoutForm(StaffForm):
    pass


class ConfirmForm(StaffForm):
    """One service's confirmation: the service layer checks the method and note again."""

    version = HiddenField(validators=[InputRequired()])
    method = SelectField(
        "How did you check it?",
        choices=[("", "Choose one"), *((m, VERIFICATION_METHOD_LABELS[m]) for m in VERIFICATION_METHODS)],
        validators=[InputRequired(message="Choose how you checked this service.")])
    note = TextAreaField(
        "What you checked, and with whom",
        validators=[InputRequired(message="Say in a few words what you checked and with whom."),
                    Length(min=10, max=2000,
                           message="Say in a few words what you checked and with whom "
                                   "(at least 10 characters).")])
