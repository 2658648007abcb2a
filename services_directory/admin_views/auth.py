"""Who may use the admin: staff accounts from `signpost staff add`, signed in by password.

The sign-in lives in Flask's signed session cookie (HttpOnly, SameSite=Strict, path /admin).
The account is looked up again on every request, so deactivating it (set_staff_active)
locks the person out at once rather than when their cookie expires. Sign-in attempts are
limited per client IP, counted before the password is checked, so guessing stays slow.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_admin import AdminIndexView, expose
from sqlalchemy import func, select
from sqlalchemy.orm import scoped_session
from werkzeug.wrappers import Response

from bot.rate_limit import SlidingWindowLimiter
from services_directory.admin_views.config import AdminConfig
from services_directory.admin_views.forms import FORM_EXPIRED, LoginForm, LogoutForm, csrf_failed
from services_directory.models import Service, StaffAccount
from services_directory.staff import authenticate

logger = logging.getLogger(__name__)

STATE_KEY = "signpost_admin"
_STAFF_ID = "staff_id"
_STAFF_EMAIL = "staff_email"

TOO_MANY_ATTEMPTS = "Too many sign-in attempts from here. Wait a few minutes and try again."
WRONG_CREDENTIALS = "That email and password do not match an active staff account."


@dataclass(frozen=True)
class AdminState:
    config: AdminConfig
    limiter: SlidingWindowLimiter
    session: scoped_session


@dataclass(frozen=True)
class Staff:
    id: int
    email: str


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
            staff = Staff(account.id, account.email)
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
        if name in ("login", "logout"):
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
                    session.permanent = True
                    session[_STAFF_ID] = account.id
                    session[_STAFF_EMAIL] = account.email
                    logger.info("admin sign-in: staff account %s", account.id)
                    return redirect(next_url)
        form.password.data = ""
        body = self.render("signpost_admin/login.html", form=form, error=error,
                           action=url_for("admin.login", next=request.args.get("next")))
        return body, status

    @expose("/logout/", methods=("POST",))
    def logout(self) -> Response:
        form = LogoutForm(request.form)
        if not form.validate():
            flash(FORM_EXPIRED, "error")
            return redirect(url_for("admin.index"))
        session.clear()
        flash("You are signed out.", "info")
        return redirect(url_for("admin.login"))
