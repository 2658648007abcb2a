"""The staff admin at /admin (Flask-Admin), mounted on the web front's app.

`init_admin(app)` is all a caller needs (bot/webfront/__main__.py passes it to create_app
through extra_setup). Pages: the review queue (what to check next), services (list, edit,
confirm one at a time, history in words), boroughs (what the bot lists per topic), deleted
services, organisations and the audit log; sign-in is a password then a TOTP code
(admin_views/auth.py), and an account may be limited to one borough's entries.

It configures the session cookie for staff only (path /admin, HttpOnly, SameSite=Strict,
Secure on request), so the public chat pages never set or receive a cookie;
registers the sign-in gate and the views; and gives /admin its own Content-Security-Policy.

The admin's policy, like the chat's, forbids inline and third-party script: Flask-Admin's
few inline handlers are replaced by data- attributes in our template overrides and bound by
admin_views/static/signpost-admin.js. It differs from the chat's in two ways only: Trusted
Types are not enforced (jQuery, which Flask-Admin needs, writes innerHTML), and inline style
attributes are allowed (Flask-Admin's markup uses them for layout; they cannot run script).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from flask import Blueprint, Flask, Response, request
from flask_admin import Admin
from sqlalchemy.orm import scoped_session

from bot.rate_limit import SlidingWindowLimiter
from services_directory.admin_views.auth import (
    STATE_KEY,
    AdminState,
    StaffIndexView,
    current_staff,
)
from services_directory.admin_views.config import AdminConfig
from services_directory.admin_views.forms import LogoutForm
from services_directory.admin_views.records import AuditLogView, OrganizationView
from services_directory.admin_views.review import BoroughView, ReviewQueueView
from services_directory.admin_views.services import DeletedServiceView, ServiceView
from services_directory.api import directory_database

logger = logging.getLogger(__name__)

ADMIN_URL = "/admin"
_HERE = Path(__file__).resolve().parent

ADMIN_CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def _is_admin_path(path: str) -> bool:
    return path == ADMIN_URL or path.startswith(ADMIN_URL + "/")


def _admin_headers(response: Response) -> Response:
    """Runs before the web front's header hook, which keeps a policy that is already set."""
    if _is_admin_path(request.path):
        response.headers["Content-Security-Policy"] = ADMIN_CONTENT_SECURITY_POLICY
    return response


def _signed_in_email() -> str:
    staff = current_staff()
    return staff.email if staff else ""


def _configure_cookie(app: Flask, config: AdminConfig) -> None:
    app.secret_key = config.secret_key
    app.config.update(
        SESSION_COOKIE_NAME="signpost_admin",
        SESSION_COOKIE_PATH=ADMIN_URL,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=config.cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=config.session_hours),
    )


def init_admin(app: Flask, database_url: str | None = None,
               config: AdminConfig | None = None) -> Admin:
    """Mount the staff admin. `database_url` None means DATABASE_URL; nothing connects to
    the database until the first admin request."""
    if config is None:
        from bot.config import current

        config = current().admin
    if config.random_secret:
        logger.warning("ADMIN_SECRET_KEY is not set: using a random key, so staff sign-ins "
                       "will not survive a restart")
    _configure_cookie(app, config)
    database = directory_database(app, database_url)
    # One session per request (per thread), made on first use and closed at teardown.
    session = scoped_session(lambda: database.sessions()())
    app.extensions[STATE_KEY] = AdminState(
        config=config,
        limiter=SlidingWindowLimiter(config.login_attempts,
                                     window_seconds=config.login_window_seconds),
        session=session,
    )

    @app.teardown_appcontext
    def _close_admin_session(_error: BaseException | None) -> None:
        session.remove()

    # Registered before Flask-Admin's own blueprints, so our template overrides win.
    assets = Blueprint("signpost_admin_assets", __name__,
                       template_folder=str(_HERE / "templates"),
                       static_folder=str(_HERE / "admin_views" / "static"),
                       static_url_path=f"{ADMIN_URL}/assets")
    app.register_blueprint(assets)
    app.jinja_env.globals["signpost_logout_form"] = LogoutForm
    app.jinja_env.globals["signpost_staff_email"] = _signed_in_email
    app.after_request(_admin_headers)

    admin = Admin(app, name="Signpost directory", url=ADMIN_URL, template_mode="bootstrap4",
                  base_template="signpost_admin/base.html",
                  index_view=StaffIndexView(name="Home", url=ADMIN_URL))
    admin.add_view(ReviewQueueView(session))
    admin.add_view(ServiceView(session))
    admin.add_view(BoroughView(session))
    admin.add_view(DeletedServiceView(session))
    admin.add_view(OrganizationView(session))
    admin.add_view(AuditLogView(session))
    return admin
