"""The audit trail: who changed which record, when, and what it looked like before and after.

Staff edits to a safeguarding directory must be traceable (a wrong number can put someone in
danger), so imports, staff tools and the admin all write through `record_change`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from services_directory.models import AuditLog, utcnow

# Never copied into the log, even if a future table grows such a column.
_SECRET_COLUMNS = frozenset({"password_hash", "totp_secret"})


def json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(obj: Any) -> dict[str, Any]:
    """Column values of a mapped object (or a plain dict) as JSON-safe data."""
    if isinstance(obj, dict):
        items = obj.items()
    else:
        mapper = inspect(obj).mapper
        items = ((attr.key, getattr(obj, attr.key)) for attr in mapper.column_attrs)
    return {key: json_value(value) for key, value in items if key not in _SECRET_COLUMNS}


def record_change(
    session: Session,
    who: str,
    table: str,
    record_id: str,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an audit row to the caller's unit of work (it commits with the change itself)."""
    entry = AuditLog(
        at=utcnow(),
        who=who,
        table_name=table,
        record_id=str(record_id),
        action=action,
        before=snapshot(before) if before is not None else None,
        after=snapshot(after) if after is not None else None,
    )
    session.add(entry)
    return entry
