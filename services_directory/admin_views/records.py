"""Staff views of organisations (editable, audited) and of the audit log (read-only)."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import flash, url_for
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import FilterEqual, FilterLike
from markupsafe import Markup
from wtforms.validators import DataRequired, Optional

from services_directory.admin_views.auth import StaffOnly, staff_email
from services_directory.admin_views.forms import (
    SchemaCheck,
    StaffForm,
    clean_text,
    strip_or_none,
)
from services_directory.admin_views.review import describe, london_time, thing_label
from services_directory.models import AuditLog, Organization
from services_directory.service_layer import WriteRefused, update_organization
from services_directory.tabular_schema import check_email, check_url

logger = logging.getLogger(__name__)

_ORGANIZATION_FIELDS = ("name", "alternate_name", "description", "email", "website")


class OrganizationView(StaffOnly, ModelView):
    """Organisations have no version column, so this is last-save-wins; every save is still
    audited with what it replaced."""

    form_base_class = StaffForm
    can_create = False
    can_delete = False
    can_view_details = True
    page_size = 50
    column_list = ("name", "website", "email", "deleted_at")
    column_labels = {"deleted_at": "Deleted at"}
    column_searchable_list = ("name",)
    column_default_sort = "name"
    column_sortable_list = ("name",)
    form_columns = _ORGANIZATION_FIELDS
    form_args = {
        "name": {"validators": [DataRequired()], "filters": [clean_text]},
        "website": {"validators": [Optional(), SchemaCheck(check_url)],
                    "filters": [strip_or_none]},
        "email": {"validators": [Optional(), SchemaCheck(check_email)],
                  "filters": [strip_or_none]},
        "alternate_name": {"filters": [strip_or_none]},
        "description": {"filters": [strip_or_none]},
    }

    def __init__(self, session: Any, **kwargs: Any) -> None:
        kwargs.setdefault("name", "Organisations")
        kwargs.setdefault("endpoint", "organization")
        super().__init__(Organization, session, **kwargs)

    def update_model(self, form: Any, model: Organization) -> bool:
        values = {name: form[name].data for name in _ORGANIZATION_FIELDS}  # cleaned by filters
        try:
            changes = update_organization(self.session, staff_email(), model.id, values)
        except WriteRefused as error:
            flash(str(error), "error")
            return False
        if not changes:
            flash("Nothing was changed.", "info")
        return True


def _json(_view: Any, _context: Any, model: AuditLog, name: str) -> Markup:
    """The raw row, kept on the details page as evidence (the summary above it is in words)."""
    value = getattr(model, name)
    if value is None:
        return Markup("")
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return Markup("<details><summary>Stored values</summary><pre>{}</pre></details>").format(text)


def _when(_view: Any, _context: Any, model: AuditLog, _name: str) -> str:
    return london_time(model.at)


def _what(_view: Any, _context: Any, model: AuditLog, _name: str) -> Markup:
    lines = describe(model)
    return Markup("<br>").join(lines)


def _record(_view: Any, _context: Any, model: AuditLog, _name: str) -> Markup:
    """Which entry, by name where it is a service, linked to its readable history."""
    row = model.after or model.before or {}
    service_id = model.record_id if model.table_name == "service" else row.get("service_id")
    label = {"service": "Service", "staff_account": "Staff account", "organization":
             "Organisation"}.get(model.table_name, thing_label(model.table_name, row).capitalize())
    if service_id:
        name = row.get("name") if model.table_name == "service" else None
        return Markup('<a href="{}">{}</a>').format(
            url_for("service.history_view", id=service_id),
            f"{label}: {name}" if name else f"{label} (see the service's history)")
    name = row.get("name") or row.get("email") or ""
    return Markup("{}").format(f"{label}: {name}" if name else label)


class AuditLogView(StaffOnly, ModelView):
    """Read-only: the log is evidence, so nobody edits or deletes it from here."""

    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = True
    page_size = 50
    column_list = ("at", "who", "record_id", "action")
    column_labels = {"at": "When (London time)", "table_name": "Table", "record_id": "Entry",
                     "action": "What changed", "who": "Who", "before": "Before",
                     "after": "After"}
    column_formatters = {"at": _when, "action": _what, "record_id": _record}
    column_details_list = ("at", "who", "record_id", "action", "before", "after")
    column_formatters_detail = {"at": _when, "action": _what, "record_id": _record,
                                "before": _json, "after": _json}
    column_default_sort = ("at", True)
    column_sortable_list = ("at", "who", "table_name", "action")
    column_searchable_list = ("who", "record_id")
    column_filters = (
        FilterEqual(AuditLog.table_name, "Table"),
        FilterEqual(AuditLog.action, "Action"),
        FilterLike(AuditLog.who, "Who"),
        FilterEqual(AuditLog.record_id, "Record"),
    )

    def __init__(self, session: Any, **kwargs: Any) -> None:
        kwargs.setdefault("name", "Audit log")
        kwargs.setdefault("endpoint", "audit")
        kwargs.setdefault("url", "audit-log")
        super().__init__(AuditLog, session, **kwargs)

    def is_action_allowed(self, name: str) -> bool:
        return False
