"""Who may use the admin: staff accounts from `signpost staff add`, signed in by password and
a second factor (a 6-digit code from an authenticator app, TOTP; see staff.py).

Sign-in is two steps. The password step only marks the session "half signed in" (the account
id and when, for PENDING_SECONDS); nothing in the admin opens until the code step is passed.
An account without a second factor yet is shown its new secret (QR code, otpauth address and
the secret as text) and must type a code from the app before the secret is saved. Each
password sign-in allows CODE_TRIES code attempts; after that the password is asked again, so
guessing codes is bounded by the per-IP password limit.

The sign-in lives in Flask's signed session cookie (HttpOnly, SameSite=Strict, path /admin).
The account is looked up again on every request, so deactivating it (set_staff_active)
locks the person out at once rather than when their cookie expires. Sign-in attempts are
limited per client IP, counted before the password is checked, so guessing stays slow.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import segno
from flask import current_app, flash, g, redirect, request, session, url_for
from flask_admin import AdminIndexView, expose
from sqlalchemy import func, select
from sqlalchemy.orm import scoped_session
from werkzeug.wrappers import Response

from bot.rate_limit import SlidingWindowLimiter
from services_directory.admin_views.config import AdminConfig
from services_directory.admin_views.forms import (
    FORM_EXPIRED,
    CodeForm,
    LoginForm,
    LogoutForm,
    csrf_failed,
)
from services_directory.models import Service, StaffAccount
from services_directory.staff import authenticate, new_totp_secret, totp_uri, use_totp_code

logger = logging.getLogger(__name__)

STATE_KEY = "signpost_admin"
_STAFF_ID = "staff_id"
_STAFF_EMAIL = "staff_email"
_PENDING_ID = "pending_staff_id"
_PENDING_AT = "pending_at"
_PENDING_NEXT = "pending_next"
_PENDING_SECRET = "pending_totp_secret"
_PENDING_TRIES = "pending_tries"
PENDING_SECONDS = 300
CODE_TRIES = 5

TOO_MANY_ATTEMPTS = "Too many sign-in attempts from here. Wait a few minutes and try again."
WRONG_CREDENTIALS = "That email and password do not match an active staff account."
WRONG_CODE = ("That code was not right, or was already used. Type the 6-digit code your "
              "authenticator app shows now.")
PENDING_EXPIRED = "Your sign-in took too long. Enter your email and password again."


@dataclass(frozen=True)
class AdminState:
    config: AdminConfig
    limiter: SlidingWindowLimiter
    session: scoped_session


@dataclass(frozen=True)
class Staff:
    id: int
    email: str
    borough_code: str | None = None  # None: may change every borough's entries


def admin_state() -> AdminState:
    return current_app.extensions[STATE_KEY]


def client_ip() -> str:
    """The address to rate-limit: the connecting one, or the one our proxies saw."""
    hops = admin_state().config.proxy_hops
    if hops > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")
                     if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.remote_addr or "unknown"


def current_staff() -> Staff | None:
    """The signed-in, still active account for this request (looked up once per request)."""
    if "signpost_staff" in g:
        return g.signpost_staff
    staff = None
    staff_id = session.get(_STAFF_ID)
    if isinstance(staff_id, int):
        account = admin_state().session.get(StaffAccount, staff_id)
        if account is not None and account.active and account.email == session.get(_STAFF_EMAIL):
            staff = Staff(account.id, account.email, account.borough_code)
        else:
            session.clear()
    g.signpost_staff = staff
    return staff


def staff_email() -> str:
    """Who to write in the audit log; only called behind the staff-only gate."""
    staff = current_staff()
    if staff is None:  # pragma: no cover - the gate runs first
        raise PermissionError("not signed in")
    return staff.email


def safe_next(target: str | None) -> str:
    """Only back into the admin: a sign-in link must not bounce staff to another site."""
    fallback = url_for("admin.index")
    if not target or not target.startswith("/admin") or "//" in target or "\\" in target:
        return fallback
    return target


class StaffOnly:
    """Mixed into every admin view: no page or action without a signed-in account."""

    def is_accessible(self) -> bool:
        return current_staff() is not None

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Response:
        next_url = request.full_path if request.method == "GET" else None
        return redirect(url_for("admin.login", next=next_url))


class StaffIndexView(StaffOnly, AdminIndexView):
    """/admin: the home page, plus sign-in and sign-out (the only pages open to anyone)."""

    def _handle_view(self, name: str, **kwargs: Any) -> Any:
        if name in ("login", "logout", "login_code", "login_enrol"):
            return None
        return super()._handle_view(name, **kwargs)

    @expose("/")
    def index(self) -> str:
        db = admin_state().session
        live = Service.deleted_at.is_(None)
        counts = {
            "live": db.execute(select(func.count()).select_from(Service).where(live)).scalar_one(),
            "deleted": db.execute(
                select(func.count()).select_from(Service).where(Service.deleted_at.is_not(None))
            ).scalar_one(),
            "oldest": db.execute(select(func.min(Service.last_verified)).where(live)).scalar(),
        }
        return self.render("signpost_admin/index.html", counts=counts)

    @expose("/login/", methods=("GET", "POST"))
    def login(self) -> Any:
        next_url = safe_next(request.args.get("next"))
        if request.method == "GET" and current_staff() is not None:
            return redirect(next_url)
        form = LoginForm(request.form if request.method == "POST" else None)
        error, status = None, 200
        if request.method == "POST":
            if not admin_state().limiter.allow(client_ip()):
                error, status = TOO_MANY_ATTEMPTS, 429
                logger.warning("admin sign-in refused: too many attempts")
            elif not form.validate():
                error = FORM_EXPIRED if csrf_failed(form) else "Enter your email and password."
                status = 400
            else:
                account = authenticate(admin_state().session, form.email.data or "",
                                       form.password.data or "")
                if account is None:
                    error, status = WRONG_CREDENTIALS, 401
                    logger.info("admin sign-in failed")
                else:
                    # A fresh session: nothing from before sign-in (a planted value) survives.
                    session.clear()
                    session[_PENDING_ID] = account.id
                    session[_PENDING_AT] = time.time()
                    session[_PENDING_NEXT] = next_url
                    if account.totp_secret:
                        return redirect(url_for("admin.login_code"))
                    session[_PENDING_SECRET] = new_totp_secret()
                    return redirect(url_for("admin.login_enrol"))
        form.password.data = ""
        body = self.render("signpost_admin/login.html", form=form, error=error,
                           action=url_for("admin.login", next=request.args.get("next")))
        return body, status

    def _pending(self) -> StaffAccount | None:
        """The account that passed the password step in this session, if recent enough."""
        account_id, started = session.get(_PENDING_ID), session.get(_PENDING_AT)
        if not isinstance(account_id, int) or not isinstance(started, int | float):
            return None
        if time.time() - started > PENDING_SECONDS:
            return None
        account = admin_state().session.get(StaffAccount, account_id)
        return account if account is not None and account.active else None

    def _second_step(self, *, enrol: bool) -> Any:
        account = self._pending()
        secret = session.get(_PENDING_SECRET) if enrol else None
        if account is None or (enrol and (not isinstance(secret, str) or account.totp_secret)) \
                or (not enrol and not account.totp_secret):
            session.clear()
            flash(PENDING_EXPIRED, "error")
            return redirect(url_for("admin.login"))
        form = CodeForm(request.form if request.method == "POST" else None)
        error, status = None, 200
        if request.method == "POST":
            tries = int(session.get(_PENDING_TRIES, 0)) + 1
            session[_PENDING_TRIES] = tries
            if tries > CODE_TRIES:
                session.clear()
                logger.warning("admin second factor refused: too many codes")
                flash("Too many wrong codes. Enter your email and password again.", "error")
                return redirect(url_for("admin.login"))
            if not form.validate():
                error = FORM_EXPIRED if csrf_failed(form) else "Type the 6-digit code."
                status = 400
            elif not use_totp_code(admin_state().session, account.id, form.code.data or "",
                                   enrol_secret=secret):
                error, status = WRONG_CODE, 401
                logger.info("admin second factor failed: staff account %s", account.id)
            else:
                next_url = safe_next(session.get(_PENDING_NEXT))
                session.clear()
                session.permanent = True
                session[_STAFF_ID] = account.id
                session[_STAFF_EMAIL] = account.email
                logger.info("admin sign-in: staff account %s%s", account.id,
                            " (second factor enrolled)" if enrol else "")
                return redirect(next_url)
        form.code.data = ""
        context: dict[str, Any] = {"form": form, "error": error, "enrol": enrol,
                                   "email": account.email}
        if enrol and isinstance(secret, str):
            uri = totp_uri(account.email, secret)
            context.update(
                secret=secret,
                secret_groups=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
                uri=uri,
                qr=segno.make(uri, error="m").svg_data_uri(scale=5, border=4))
        return self.render("signpost_admin/login_code.html", **context), status

    @expose("/login/code/", methods=("GET", "POST"))
    def login_code(self) -> Any:
        return self._second_step(enrol=False)

    @expose("/login/enrol/", methods=("GET", "POST"))
    def login_enrol(self) -> Any:
        return self._second_step(enrol=True)

    @expose("/logout/", methods=("POST",))
    def logout(self) -> Response:
        form = LogoutForm(request.form)
        if not form.validate():
            flash(FORM_EXPIRED, "error")
            return redirect(url_for("admin.index"))
        session.clear()
        flash("You are signed out.", "info")
        return redirect(url_for("admin.login"))
