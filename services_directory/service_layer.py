"""The one way to change the directory: version check, audit record and commit, together.

A wrong number in this directory can send a frightened person to the wrong place, so every
write (a staff edit in the admin, a confirmation, a delete or restore, an import, the staff
CLI) goes through a `DirectoryWrite`. It

- refuses a change made from a stale copy of a service (the caller says which version it
  started from; a save racing another in the same instant is caught by the version column);
- works out what actually changed, row by row, and writes one audit row per change, in the
  same transaction as the change itself;
- bumps a service's version whenever anything in it changed (phones, areas, topics, hours,
  eligibility), so those edits are protected by the version check too;
- commits, or rolls back everything and raises `WriteRefused` with a message staff can act on.

Callers never call `session.commit()` or `audit.record_change` themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from services_directory.audit import record_change, snapshot
from services_directory.models import Organization, Service, utcnow
from services_directory.vocabulary import VERIFICATION_METHOD_LABELS, VERIFICATION_METHODS

logger = logging.getLogger(__name__)

STALE_MESSAGE = ("Someone else changed this service while you were editing. "
                 "Reload to see their changes.")
REFUSED_MESSAGE = "The database refused the change. Nothing was changed."
# Columns that change on every save: bookkeeping, not an edit.
_BOOKKEEPING = frozenset({"version", "updated_at"})
# A service's parts, audited row by row under their own table names.
_PARTS = ("phones", "areas", "taxonomies", "languages", "schedules", "sources")


class WriteRefused(Exception):
    """The change was not made; `str(error)` is a plain sentence for staff."""


class StaleEdit(WriteRefused):
    """Someone else saved the service since this change was started."""

    def __init__(self, message: str = STALE_MESSAGE) -> None:
        super().__init__(message)


class NotFound(WriteRefused):
    pass


@dataclass(frozen=True)
class Change:
    table: str
    record_id: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _changed(before: dict[str, Any] | None, after: dict[str, Any] | None) -> bool:
    if before is None or after is None:
        return before != after
    keys = (set(before) | set(after)) - _BOOKKEEPING
    return any(before.get(key) != after.get(key) for key in keys)


def _gone(session: Session, obj: Any) -> bool:
    """A deleted child stays in its collection until expired; its state says it is gone."""
    state = sa_inspect(obj)
    return obj in session.deleted or state.deleted or state.was_deleted


def _rows_of(session: Session, service: Service) -> dict[tuple[str, str], dict[str, Any]]:
    """Every row of a service's aggregate (parts and eligibility), keyed by (table, id)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for name in _PARTS:
        for part in getattr(service, name):
            if part.id and not _gone(session, part):
                rows[(part.__tablename__, part.id)] = snapshot(part)
    eligibility = service.eligibility
    if eligibility is not None and eligibility.id and not _gone(session, eligibility):
        rows[("eligibility", eligibility.id)] = snapshot(eligibility)
    return rows


@dataclass
class _Tracked:
    obj: Any
    before: dict[str, Any]
    parts_before: dict[tuple[str, str], dict[str, Any]] | None = None
    action: str = "update"


class DirectoryWrite:
    """One unit of work by one person (or tool). Use as a context manager or call commit().

    >>> with DirectoryWrite(session, "officer@council.gov.uk") as write:
    ...     service = write.service("svc-x", expected_version=3)
    ...     service.description = "..."
    """

    def __init__(self, session: Session, actor: str) -> None:
        if not actor:
            raise ValueError("every write needs an actor for the audit log")
        self.session = session
        self.actor = actor
        self._tracked: dict[tuple[str, str], _Tracked] = {}
        self._added: list[Any] = []
        self._deleted: list[tuple[str, str, dict[str, Any]]] = []
        self._notes: list[Change] = []
        self.changes: list[Change] = []
        self._done = False

    # ------------------------------------------------------------ what will change

    def service(self, service_id: str, expected_version: int | str | None = None, *,
                deleted: bool | None = False) -> Service:
        """Load a service to change, refusing a stale version. `deleted` None: either."""
        service = self.session.get(Service, service_id)
        if service is None or (deleted is True and service.deleted_at is None) or (
                deleted is False and service.deleted_at is not None):
            raise NotFound("That service no longer exists. Nothing was changed.")
        if expected_version is not None and str(expected_version).strip() != str(service.version):
            raise StaleEdit()
        self.track(service)
        return service

    def track(self, obj: Any, *, parts: bool = True) -> Any:
        """Remember how `obj` looks now, so the commit can audit what changed.

        For a service, `parts` also follows its phones, areas, topics, hours, languages,
        sources and eligibility; an import, which changes those rows one by one, passes False.
        """
        key = (obj.__tablename__, str(obj.id))
        if key not in self._tracked:
            tracked = _Tracked(obj, snapshot(obj))
            if isinstance(obj, Service) and parts:
                tracked.parts_before = _rows_of(self.session, obj)
            self._tracked[key] = tracked
        return obj

    def add(self, obj: Any) -> Any:
        self.session.add(obj)
        self._added.append(obj)
        return obj

    def delete(self, obj: Any) -> None:
        self._deleted.append((obj.__tablename__, str(obj.id), snapshot(obj)))
        self.session.delete(obj)

    def note(self, table: str, record_id: str, action: str, before: dict[str, Any] | None,
             after: dict[str, Any] | None) -> None:
        """An audit row for a change the tracker cannot see (a whole import's summary)."""
        self._notes.append(Change(table, record_id, action, before, after))

    def action(self, obj: Any, name: str) -> None:
        """Audit this object's update under a more telling name (confirm, soft_delete...)."""
        self.track(obj)
        self._tracked[(obj.__tablename__, str(obj.id))].action = name

    # ------------------------------------------------------------ commit

    def _collect(self) -> list[Change]:
        changes: list[Change] = []
        for (table, record_id), tracked in self._tracked.items():
            obj = tracked.obj
            if _gone(self.session, obj):
                continue
            rows: list[Change] = []
            if isinstance(obj, Service) and tracked.parts_before is not None:
                after_parts = _rows_of(self.session, obj)
                for key in sorted(set(tracked.parts_before) | set(after_parts)):
                    before, after = tracked.parts_before.get(key), after_parts.get(key)
                    if _changed(before, after):
                        kind = "insert" if before is None else "delete" if after is None \
                            else "update"
                        rows.append(Change(key[0], key[1], kind, before, after))
                if rows and obj.version == tracked.before.get("version"):
                    # Any change to a part is a change to the service: move its version
                    # (once: a flush that already updated the service row moved it).
                    obj.updated_at = utcnow()
                    self.session.flush()
            after = snapshot(obj)
            if rows or _changed(tracked.before, after):
                changes.append(Change(table, record_id, tracked.action, tracked.before, after))
            changes.extend(rows)
        tracked_parts = {(c.table, c.record_id) for c in changes}
        for obj in self._added:
            key = (obj.__tablename__, str(obj.id))
            if key not in tracked_parts and not _gone(self.session, obj):
                changes.append(Change(key[0], key[1], "insert", None, snapshot(obj)))
        for table, record_id, before in self._deleted:
            if (table, record_id) not in tracked_parts:
                changes.append(Change(table, record_id, "delete", before, None))
        return changes + self._notes

    def commit(self) -> list[Change]:
        """Write the audit rows and commit; returns what changed (empty: nothing did)."""
        if self._done:
            raise RuntimeError("this write was already committed or rolled back")
        self._done = True
        try:
            self.session.flush()
            changes = self._collect()
            if not changes:
                self.session.rollback()
                return []
            for change in changes:
                record_change(self.session, self.actor, change.table, change.record_id,
                              change.action, change.before, change.after)
            self.session.commit()
        except StaleDataError as error:
            self.session.rollback()
            raise StaleEdit() from error
        except IntegrityError as error:
            self.session.rollback()
            logger.error("directory write refused: %s", type(error.orig).__name__)
            raise WriteRefused(REFUSED_MESSAGE) from error
        except SQLAlchemyError as error:
            self.session.rollback()
            logger.error("directory write failed: %s", type(error).__name__)
            raise WriteRefused(REFUSED_MESSAGE) from error
        self.changes = changes
        return changes

    def rollback(self) -> None:
        if not self._done:
            self._done = True
            self.session.rollback()

    def __enter__(self) -> DirectoryWrite:
        return self

    def __exit__(self, exc_type: Any, exc: Any, _tb: Any) -> None:
        if exc_type is not None:
            self.rollback()
            return
        if not self._done:
            self.commit()


# ---------------------------------------------------------------- the common writes


def update_service(session: Session, actor: str, service_id: str,
                   expected_version: int | str | None,
                   change: Callable[[Service, DirectoryWrite], None]) -> list[Change]:
    """Apply `change` to a live service and its parts; audit and commit. [] if nothing moved."""
    write = DirectoryWrite(session, actor)
    try:
        service = write.service(service_id, expected_version)
        change(service, write)
    except BaseException:
        write.rollback()
        raise
    return write.commit()


@dataclass(frozen=True)
class Confirmation:
    method: str
    note: str
    on: date | None = None  # None: today


def check_confirmation(confirmation: Confirmation) -> None:
    if confirmation.method not in VERIFICATION_METHODS:
        raise WriteRefused("Choose how you checked this service.")
    if len(confirmation.note.strip()) < 10:
        raise WriteRefused("Say in a few words what you checked and with whom "
                           "(at least 10 characters).")
    if confirmation.on is not None and confirmation.on > date.today():
        raise WriteRefused("The date you checked it cannot be in the future.")


def confirm_service(session: Session, actor: str, service_id: str,
                    expected_version: int | str | None,
                    confirmation: Confirmation) -> list[Change]:
    """A member of staff says they checked this service (and its numbers), how, and when.

    The only way `last_verified` is ever set. One service at a time, by design.
    """
    check_confirmation(confirmation)
    on = confirmation.on or date.today()

    def confirm(service: Service, write: DirectoryWrite) -> None:
        write.action(service, "confirm")
        service.last_verified = on
        service.verified_by = actor
        service.verification_method = confirmation.method
        service.verification_note = (
            f"{VERIFICATION_METHOD_LABELS[confirmation.method]}: {confirmation.note.strip()}")
        for phone in service.phones:
            phone.last_verified = on
        service.updated_at = utcnow()

    return update_service(session, actor, service_id, expected_version, confirm)


def set_service_deleted(session: Session, actor: str, service_id: str, deleted: bool,
                        expected_version: int | str | None = None) -> list[Change]:
    """Soft delete (leaves search and the API at once) or restore one service."""
    write = DirectoryWrite(session, actor)
    try:
        service = write.service(service_id, expected_version, deleted=not deleted)
        write.action(service, "soft_delete" if deleted else "restore")
        service.deleted_at = utcnow() if deleted else None
        service.updated_at = utcnow()
    except BaseException:
        write.rollback()
        raise
    return write.commit()


def update_organization(session: Session, actor: str, organization_id: str,
                        values: dict[str, Any]) -> list[Change]:
    """Organisations carry no version: last save wins, and every save is audited."""
    write = DirectoryWrite(session, actor)
    try:
        organization = session.get(Organization, organization_id)
        if organization is None:
            raise NotFound("That organisation no longer exists. Nothing was changed.")
        write.track(organization)
        for name, value in values.items():
            setattr(organization, name, value)
    except BaseException:
        write.rollback()
        raise
    return write.commit()


def live_services(session: Session, ids: Iterable[str]) -> list[Service]:
    return list(session.execute(
        select(Service).where(Service.id.in_(list(ids)), Service.deleted_at.is_(None))
        .order_by(Service.id)
    ).scalars())
