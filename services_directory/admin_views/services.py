"""Staff views of services: find, edit (with phones and eligibility), verify, soft delete.

A wrong phone number in this directory can send a frightened person to the wrong place, so:
- every save, confirmation, deletion and restore goes through the directory service layer
  (service_layer.py), which writes before/after rows to the audit log in the same
  transaction as the change;
- an edit form carries the service's version; if someone else saved the service since the
  form was opened, the save is refused with a message and nothing is written (and a save
  racing another in the same instant is caught by the version column itself);
- every save bumps the version, even one that only touched phones or eligibility, so those
  are protected too;
- phone numbers, web addresses and emails must pass the import's checks;
- deletion is soft (deleted_at): the service leaves search and the API at once and can be
  restored from "Deleted services".
"""

from __future__ import annotations

import logging
import secrets
from datetime import date
from typing import Any

from flask import flash, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import BaseSQLAFilter, FilterEqual
from flask_admin.form import rules
from flask_admin.model.form import InlineFormAdmin
from markupsafe import Markup
from sqlalchemy import and_, exists, or_, select, true
from sqlalchemy.orm import object_session
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from services_directory.admin_views.auth import StaffOnly, safe_next, staff_email
from services_directory.admin_views.forms import (
    FORM_EXPIRED,
    ConfirmForm,
    KeepHidden,
    SchemaCheck,
    StaffForm,
    clean_text,
    csrf_failed,
    strip_or_none,
)
from services_directory.admin_views.review import (
    long_date,
    may_change,
    outside_borough_message,
    service_history,
    staff_borough,
)
from services_directory.boroughs import BOROUGH_BY_CODE, BOROUGHS
from services_directory.models import (
    Eligibility,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceTaxonomy,
    utcnow,
)
from services_directory.service_layer import (
    STALE_MESSAGE,
    Confirmation,
    DirectoryWrite,
    StaleEdit,
    WriteRefused,
    confirm_service,
    update_service,
)
from services_directory.tabular_schema import check_email, check_phone, check_time, check_url
from services_directory.verification import (
    ENDED_STATUSES,
    STATE_LABELS,
    add_months,
    review,
    review_months,
)
from services_directory.vocabulary import (
    AUDIENCES,
    PHONE_TYPES,
    SERVICE_STATUSES,
    TOPIC_LABELS,
    TOPICS,
    topic_term_id,
)

logger = logging.getLogger(__name__)

__all__ = ["STALE_MESSAGE", "DeletedServiceView", "ServiceView"]

_SERVICE_FIELDS = ("name", "alternate_name", "description", "url", "email", "form_url",
                   "status", "status_note")
_ELIGIBILITY_FIELDS = ("gender", "minimum_age", "maximum_age", "audiences",
                       "audience_restricted", "eligibility_description")
_MAX_ID = 120
# What to fix, in plain words (the import's own messages are written for data files).
PLAIN_PHONE = ("Enter a UK phone number with its area code (020 and eight digits in London), "
               "like 0808 2000 247.")
PLAIN_URL = "Enter the full web address, starting with https://"
PLAIN_EMAIL = "Enter an email address, like name@example.org."
PLAIN_TIME = "Enter a time on the 24-hour clock, like 09:00 or 17:30."
PLAIN_DAYS = "Enter days as two-letter codes separated by commas, like MO,TU,WE."
_DAYS = frozenset({"MO", "TU", "WE", "TH", "FR", "SA", "SU"})


def check_days(value: str) -> str | None:
    parts = [part.strip().upper() for part in value.split(",")]
    return None if parts and all(part in _DAYS for part in parts) else "bad days"


def _short_id(candidate: str, prefix: str) -> str:
    """The import's id style when it fits the id column, else a random id."""
    return candidate if len(candidate) <= _MAX_ID else f"{prefix}-{secrets.token_hex(12)}"


def phone_id(service_id: str, taken: set[str]) -> str:
    """ph-<service>-<n>, like the bundled data, with the first n nobody holds."""
    n = 1
    while f"ph-{service_id}-{n}" in taken:
        n += 1
    return _short_id(f"ph-{service_id}-{n}", "ph")


# ---------------------------------------------------------------- list filters


class BoroughFilter(BaseSQLAFilter):
    """Services that serve a borough (or are London-wide or national)."""

    def __init__(self) -> None:
        options = [(b.ons_code, b.name) for b in sorted(BOROUGHS, key=lambda b: b.name)]
        options += [("london", "London-wide"), ("national", "National")]
        super().__init__(Service.id, "Area", options=options)

    def validate(self, value: str) -> bool:
        return value in BOROUGH_BY_CODE or value in ("london", "national")

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        if value in ("london", "national"):
            condition = ServiceArea.scope == value
        else:
            condition = (ServiceArea.scope == "borough") & (ServiceArea.borough_code == value)
        return query.filter(exists().where(ServiceArea.service_id == Service.id, condition))

    def operation(self) -> str:
        return "is"


class TopicFilter(BaseSQLAFilter):
    def __init__(self) -> None:
        super().__init__(Service.id, "Topic",
                         options=[(topic, TOPIC_LABELS[topic]) for topic in TOPICS])

    def validate(self, value: str) -> bool:
        return value in TOPICS

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        return query.filter(exists().where(
            ServiceTaxonomy.service_id == Service.id,
            ServiceTaxonomy.taxonomy_term_id == topic_term_id(value),
        ))

    def operation(self) -> str:
        return "is"


class StateFilter(BaseSQLAFilter):
    """Confirmed, not yet confirmed, overdue or ended: verification.review's rule in SQL."""

    def __init__(self) -> None:
        super().__init__(Service.last_verified, "State",
                         options=[(name, label) for name, label in STATE_LABELS.items()])

    def validate(self, value: str) -> bool:
        return value in STATE_LABELS

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        ended = Service.status.in_(sorted(ENDED_STATUSES))
        cutoff = add_months(date.today(), -review_months())
        conditions = {
            "ended": ended,
            "unconfirmed": ~ended & Service.last_verified.is_(None),
            "overdue": ~ended & (Service.last_verified < cutoff),
            "confirmed": ~ended & (Service.last_verified >= cutoff),
        }
        return query.filter(conditions[value])

    def operation(self) -> str:
        return "is"


class PhoneFilter(BaseSQLAFilter):
    def __init__(self) -> None:
        super().__init__(Service.id, "Phone number",
                         options=[("yes", "Has a phone number"), ("no", "No phone number")])

    def validate(self, value: str) -> bool:
        return value in ("yes", "no")

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        has_phone = exists().where(Phone.service_id == Service.id)
        return query.filter(has_phone if value == "yes" else ~has_phone)

    def operation(self) -> str:
        return "is"


def search_condition(text: str) -> Any:
    """Name (or other name), borough or topic: "Lewisham", "stalking", "Athena" all work,
    and a borough and a topic together ("Lewisham stalking") narrow to both."""
    conditions = []
    for word in text.lower().split():
        like = f"%{word}%"
        codes = [b.ons_code for b in BOROUGHS if word in b.name.lower()]
        topics = [topic_term_id(t) for t in TOPICS
                  if word in TOPIC_LABELS[t].lower() or word in t.replace("_", " ")]
        options = [Service.name.ilike(like), Service.alternate_name.ilike(like)]
        if codes:
            options.append(exists().where(ServiceArea.service_id == Service.id,
                                          ServiceArea.borough_code.in_(codes)))
        if topics:
            options.append(exists().where(ServiceTaxonomy.service_id == Service.id,
                                          ServiceTaxonomy.taxonomy_term_id.in_(topics)))
        conditions.append(or_(*options))
    return and_(*conditions) if conditions else true()


# ---------------------------------------------------------------- list formatters


def _state(_view: Any, _context: Any, model: Service, _name: str) -> str:
    return review(model.status, model.last_verified).label


def _last_confirmed(_view: Any, _context: Any, model: Service, _name: str) -> str:
    return long_date(model.last_verified) or "Never"


def _phone(_view: Any, _context: Any, model: Service, _name: str) -> str:
    phones = sorted(model.phones, key=lambda p: p.id)
    if not phones:
        return "None"
    more = f" (+{len(phones) - 1} more)" if len(phones) > 1 else ""
    return phones[0].number + more


def _organization(_view: Any, _context: Any, model: Service, _name: str) -> str:
    return model.organization.name if model.organization else ""


def area_label(model: Service) -> str:
    names = []
    for area in model.areas:
        if area.scope == "borough":
            borough = BOROUGH_BY_CODE.get(area.borough_code or "")
            names.append(borough.name if borough else area.borough_code or "?")
        else:
            names.append("London-wide" if area.scope == "london" else "National")
    return ", ".join(sorted(names))


def _areas(_view: Any, _context: Any, model: Service, _name: str) -> str:
    return area_label(model)


def _phones(_view: Any, _context: Any, model: Service, _name: str) -> Markup:
    items = [
        Markup("<li>{} ({}; confirmed {}; source: {})</li>").format(
            phone.number, phone.type, phone.last_verified or "never", phone.source)
        for phone in sorted(model.phones, key=lambda p: p.id)
    ]
    return Markup("<ul>") + Markup("").join(items) + Markup("</ul>") if items else Markup("")


# ---------------------------------------------------------------- phones, inline


class PhoneInline(InlineFormAdmin):
    """Phone numbers edited inside the service form: format-checked like an import, each
    with where it was checked and when."""

    form_columns = ("id", "number", "extension", "type", "description", "hours", "source",
                    "source_url")
    form_label = "Phone"
    # Plain SelectField, not form_choices: Flask-Admin 1.6.1's Select2Field yields 3-tuples,
    # which WTForms 3.2's select widget cannot unpack.
    form_overrides = {"type": SelectField}
    form_args = {
        "type": {"choices": [(kind, kind) for kind in PHONE_TYPES]},
        "number": {"validators": [InputRequired(message="Enter the phone number."),
                                  SchemaCheck(check_phone, PLAIN_PHONE)],
                   "filters": [strip_or_none]},
        "extension": {"filters": [strip_or_none]},
        "description": {"label": "Label (what the number is for)", "filters": [strip_or_none]},
        "hours": {"label": "When it is answered", "filters": [strip_or_none]},
        "source": {"label": "Source (where this number is published)",
                   "validators": [InputRequired(message="Say where this number is published.")],
                   "filters": [strip_or_none]},
        "source_url": {"label": "Source web address",
                       "validators": [Optional(), SchemaCheck(check_url, PLAIN_URL)],
                       "filters": [strip_or_none]},
    }

    def on_model_change(self, form: Any, model: Phone, is_created: bool) -> None:
        if not is_created or model.id:
            return
        service = model.service
        session = object_session(service)
        # Ids in the database too, including a phone being deleted in this same save, so an
        # id is never reused within a save; no autoflush, as this new phone has no id yet.
        with session.no_autoflush:
            taken = set(session.execute(select(Phone.id).where(
                Phone.id.startswith(f"ph-{service.id}-", autoescape=True))).scalars())
        taken |= {phone.id for phone in service.phones if phone.id}
        model.id = phone_id(service.id, taken)


# ---------------------------------------------------------------- hours, inline


class ScheduleInline(InlineFormAdmin):
    """Opening hours: days and times where they are regular, or in words (as the source says
    them); the bot shows the words when there are any."""

    form_columns = ("id", "byday", "opens_at", "closes_at", "is_24_hours", "description")
    form_label = "Opening hours"
    form_args = {
        "byday": {"label": "Days (MO,TU,WE,TH,FR,SA,SU)", "filters": [strip_or_none],
                  "validators": [Optional(), SchemaCheck(check_days, PLAIN_DAYS)]},
        "opens_at": {"label": "Opens (24-hour, like 09:00)", "filters": [strip_or_none],
                     "validators": [Optional(), SchemaCheck(check_time, PLAIN_TIME)]},
        "closes_at": {"label": "Closes (24-hour, like 17:30)", "filters": [strip_or_none],
                      "validators": [Optional(), SchemaCheck(check_time, PLAIN_TIME)]},
        "is_24_hours": {"label": "Open 24 hours"},
        "description": {"label": "Hours in words (shown to people)", "filters": [strip_or_none]},
    }

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        if not is_created or model.id:
            return
        service = model.service
        session = object_session(service)
        with session.no_autoflush:
            taken = set(session.execute(select(Schedule.id).where(
                Schedule.id.startswith(f"sch-{service.id}-", autoescape=True))).scalars())
        taken |= {schedule.id for schedule in service.schedules if schedule.id}
        n = 1
        while f"sch-{service.id}-{n}" in taken:
            n += 1
        model.id = _short_id(f"sch-{service.id}-{n}", "sch")


def _area_choices() -> list[tuple[str, str]]:
    return [("london", "London-wide"), ("national", "National"),
            *((b.ons_code, b.name) for b in sorted(BOROUGHS, key=lambda b: b.name))]


def _chosen_areas(service: Service) -> list[str]:
    return [area.borough_code if area.scope == "borough" else area.scope
            for area in service.areas if area.scope != "borough" or area.borough_code]


def _sync_areas(service: Service, chosen: list[str], write: DirectoryWrite) -> None:
    """Make the service's areas exactly `chosen` (borough codes, 'london', 'national')."""
    wanted = set(chosen)
    for area in list(service.areas):
        key = area.borough_code if area.scope == "borough" else area.scope
        if key in wanted:
            wanted.discard(key)
        else:
            service.areas.remove(area)
            write.session.delete(area)
    for key in sorted(wanted):
        scope = key if key in ("london", "national") else "borough"
        service.areas.append(ServiceArea(
            id=_short_id(f"area-{service.id}-{key}", "area"), scope=scope,
            borough_code=key if scope == "borough" else None))


def _sync_topics(service: Service, chosen: list[str], write: DirectoryWrite) -> None:
    wanted = {topic_term_id(topic) for topic in chosen if topic in TOPICS}
    for link in list(service.taxonomies):
        if link.taxonomy_term_id in wanted:
            wanted.discard(link.taxonomy_term_id)
        elif link.taxonomy_term_id.startswith("topic-"):
            service.taxonomies.remove(link)
            write.session.delete(link)
    for term in sorted(wanted):
        service.taxonomies.append(ServiceTaxonomy(
            id=_short_id(f"st-{service.id}-{term.removeprefix('topic-')}", "st"),
            taxonomy_term_id=term))


# ---------------------------------------------------------------- the services view


def _gender_choices() -> list[tuple[str, str]]:
    return [("", "Anyone"), ("female", "Women only"), ("male", "Men only")]


class ServiceView(StaffOnly, ModelView):
    """Live services. Hard delete and create are off: services come from imports, and a
    deletion must stay restorable."""

    form_base_class = StaffForm
    can_create = False
    can_delete = False
    can_edit = True
    can_view_details = True
    can_set_page_size = True
    page_size = 50
    edit_template = "signpost_admin/service_edit.html"

    column_list = ("name", "areas", "phone", "state", "last_verified")
    column_labels = {"organization": "Organisation", "areas": "Area", "url": "Website",
                     "last_verified": "Last confirmed", "phone": "Phone", "state": "State"}
    column_formatters = {"organization": _organization, "areas": _areas, "phone": _phone,
                         "state": _state, "last_verified": _last_confirmed}
    column_select_related_list = (Service.organization, Service.areas, Service.phones)
    column_formatters_detail = {"organization": _organization, "areas": _areas,
                                "phones": _phones}
    column_details_list = ("id", "name", "alternate_name", "organization", "areas",
                           "description", "url", "email", "status", "phones", "source",
                           "last_verified", "verification_note", "version", "updated_at")
    column_sortable_list = ("name", "status", "last_verified")
    column_default_sort = "name"
    column_searchable_list = ("name",)
    column_filters = (
        BoroughFilter(),
        TopicFilter(),
        StateFilter(),
        PhoneFilter(),
        FilterEqual(Service.status, "Status",
                    options=[(status, status) for status in SERVICE_STATUSES]),
    )

    form_columns = (*_SERVICE_FIELDS, "version", "service_areas", "topics",
                    *_ELIGIBILITY_FIELDS)
    form_overrides = {"status": SelectField}  # not form_choices: see PhoneInline
    form_args = {
        "status": {"choices": [(status, status) for status in SERVICE_STATUSES]},
        "name": {"validators": [DataRequired(message="Enter the service's name.")],
                 "filters": [clean_text]},
        "description": {"validators": [DataRequired(message="Describe the service in a sentence "
                                                            "or two.")],
                        "filters": [clean_text]},
        "url": {"label": "Website", "validators": [Optional(), SchemaCheck(check_url, PLAIN_URL)],
                "filters": [strip_or_none]},
        "email": {"validators": [Optional(), SchemaCheck(check_email, PLAIN_EMAIL)],
                  "filters": [strip_or_none]},
        "alternate_name": {"label": "Other name", "filters": [strip_or_none]},
        "form_url": {"label": "Web form",
                     "validators": [Optional(), SchemaCheck(check_url, PLAIN_URL)],
                     "filters": [strip_or_none]},
        "status_note": {"label": "Why it is not active, or doubts about it (staff only)",
                        "filters": [strip_or_none]},
    }
    form_extra_fields = {
        "version": HiddenField(validators=[InputRequired()]),
        "service_areas": SelectMultipleField(
            "Areas it serves", choices=_area_choices(),
            validators=[InputRequired(message="Choose at least one area: a borough, "
                                              "London-wide or national.")]),
        "topics": SelectMultipleField(
            "Topics (what the bot offers it for)",
            choices=[(topic, TOPIC_LABELS[topic]) for topic in TOPICS]),
        "gender": SelectField("Gender", choices=_gender_choices(), default=""),
        "minimum_age": IntegerField("Minimum age",
                                    validators=[Optional(), NumberRange(0, 120)]),
        "maximum_age": IntegerField("Maximum age",
                                    validators=[Optional(), NumberRange(0, 120)]),
        "audiences": SelectMultipleField("Audiences",
                                         choices=[(a, a.replace("_", " ")) for a in AUDIENCES]),
        "audience_restricted": BooleanField(
            "Only for these audiences (otherwise: specialises in them)"),
        "eligibility_description": TextAreaField("Eligibility notes",
                                                 filters=[strip_or_none]),
    }
    inline_models = (PhoneInline(Phone), ScheduleInline(Schedule))
    form_edit_rules = (
        KeepHidden("csrf_token", "version"),
        rules.FieldSet(_SERVICE_FIELDS, "Service"),
        rules.FieldSet(("service_areas", "topics"), "Where and what"),
        rules.FieldSet(_ELIGIBILITY_FIELDS, "Who it is for"),
        rules.FieldSet(("phones",), "Phone numbers"),
        rules.FieldSet(("schedules",), "Opening hours"),
    )

    def __init__(self, session: Any, **kwargs: Any) -> None:
        kwargs.setdefault("name", "Services")
        kwargs.setdefault("endpoint", "service")
        super().__init__(Service, session, **kwargs)

    # ------------------------------------------------------------ which rows

    def _live(self, query: Any) -> Any:
        return query.filter(Service.deleted_at.is_(None))

    def get_query(self) -> Any:
        return self._live(super().get_query())

    def get_count_query(self) -> Any:
        return self._live(super().get_count_query())

    def get_one(self, id: str) -> Service | None:
        service = self.session.get(Service, id)
        return service if service is not None and service.deleted_at is None else None

    def search_placeholder(self) -> str:
        return "Name, borough or topic"

    def _apply_search(self, query: Any, count_query: Any, joins: Any, count_joins: Any,
                      search: str) -> Any:
        condition = search_condition(search)
        count_query = count_query.filter(condition) if count_query is not None else None
        return query.filter(condition), count_query, joins, count_joins

    # ------------------------------------------------------------ the edit form

    def render(self, template: str, **kwargs: Any) -> str:
        if template == self.edit_template:
            kwargs.setdefault("record_action_form", self.action_form())
        return super().render(template, **kwargs)

    def on_form_prefill(self, form: Any, id: str) -> None:
        """Eligibility lives in its own table; fill its fields when the form is first shown
        (after a refused save the person's own entries stay)."""
        if request.method != "GET":
            return
        service = self.get_one(id)
        if service is None:
            return
        form.version.data = str(service.version)
        form.service_areas.data = _chosen_areas(service)
        form.topics.data = [link.taxonomy_term_id.removeprefix("topic-")
                            for link in service.taxonomies
                            if link.taxonomy_term_id.startswith("topic-")]
        eligibility = service.eligibility
        if eligibility is not None:
            form.gender.data = eligibility.gender or ""
            form.minimum_age.data = eligibility.minimum_age
            form.maximum_age.data = eligibility.maximum_age
            form.audiences.data = [a for a in (eligibility.audiences or "").split(";") if a]
            form.audience_restricted.data = bool(eligibility.audience_restricted)
            form.eligibility_description.data = eligibility.description

    def validate_form(self, form: Any) -> bool:
        valid = super().validate_form(form)
        if request.method != "POST":
            return valid
        if not hasattr(form, "version"):
            return valid  # an action form: Flask-Admin reports its errors itself
        if csrf_failed(form):  # hidden fields' errors are not shown next to them
            flash(FORM_EXPIRED, "error")
        elif form.version.errors:
            flash("This form is missing the service's version. Reload the page and edit again.",
                  "error")
        if valid:
            low, high = form.minimum_age.data, form.maximum_age.data
            if low is not None and high is not None and low > high:
                form.maximum_age.errors = [*form.maximum_age.errors,
                                           "The maximum age must not be below the minimum age."]
                valid = False
        own = staff_borough()
        if valid and own is not None and request.args.get("id"):
            service = self.get_one(request.args["id"])
            before = set(_chosen_areas(service)) if service is not None else set()
            added = set(form.service_areas.data or []) - before - {own}
            if added:
                # A borough's officer can list their own borough, not speak for others.
                form.service_areas.errors = [*form.service_areas.errors,
                                             "Your account can only add its own borough as "
                                             "an area."]
                valid = False
        if not valid and not csrf_failed(form):
            flash("This service was not saved. Fix the fields marked below; the cursor is on "
                  "the first one.", "error")
        return valid

    def _eligibility_values(self, form: Any) -> dict[str, Any]:
        chosen = set(form.audiences.data or [])
        return {
            "gender": form.gender.data or None,
            "minimum_age": form.minimum_age.data,
            "maximum_age": form.maximum_age.data,
            "audiences": ";".join(a for a in AUDIENCES if a in chosen),
            "audience_restricted": bool(form.audience_restricted.data),
            "description": form.eligibility_description.data or None,
        }

    def update_model(self, form: Any, model: Service) -> bool:
        """Save through the service layer: version check, audit and commit in one go."""

        def change(service: Service, write: DirectoryWrite) -> None:
            for name in _SERVICE_FIELDS:
                setattr(service, name, form[name].data)  # already cleaned by the filters
            form.phones.populate_obj(service, "phones")
            form.schedules.populate_obj(service, "schedules")
            _sync_areas(service, form.service_areas.data or [], write)
            _sync_topics(service, form.topics.data or [], write)
            values = self._eligibility_values(form)
            eligibility = service.eligibility
            if eligibility is None and (values["gender"] or values["minimum_age"] is not None
                                        or values["maximum_age"] is not None
                                        or values["audiences"] or values["description"]
                                        or values["audience_restricted"]):
                eligibility = Eligibility(id=_short_id(f"elig-{service.id}", "elig"),
                                          service=service)
                write.session.add(eligibility)
            if eligibility is not None:
                for name, value in values.items():
                    setattr(eligibility, name, value)

        if not may_change(model):
            flash(outside_borough_message(), "error")
            return False
        try:
            changes = update_service(self.session, staff_email(), model.id,
                                     form.version.data, change)
        except WriteRefused as error:
            flash(str(error), "error")
            return False
        if not changes:
            flash("Nothing was changed.", "info")
            return True
        logger.info("admin: service %s updated", model.id)
        return True

    # ------------------------------------------------------------ confirm, one at a time

    @expose("/confirm/", methods=("GET", "POST"))
    def confirm_view(self) -> Any:
        """Confirm one service: how it was checked and a note, never in bulk. The form
        carries the version it was opened at, so a confirmation of details someone has
        since changed is refused rather than vouching for what the officer never saw."""
        service_id = request.args.get("id", "")
        return_url = safe_next(request.args.get("url") or self.get_url(".index_view"))
        service = self.get_one(service_id)
        if service is None:
            flash("That service no longer exists.", "error")
            return redirect(self.get_url(".index_view"))
        if not may_change(service):
            flash(outside_borough_message(), "error")
            return redirect(return_url)
        form = ConfirmForm(request.form if request.method == "POST" else None)
        if request.method == "GET":
            form.version.data = str(service.version)
        elif not form.validate():
            if csrf_failed(form):
                flash(FORM_EXPIRED, "error")
        else:
            try:
                confirm_service(self.session, staff_email(), service.id, form.version.data,
                                Confirmation(method=form.method.data or "",
                                             note=form.note.data or ""))
            except StaleEdit as error:
                flash(f"{error} Nothing was confirmed.", "error")
                return redirect(self.get_url(".confirm_view", id=service.id, url=return_url))
            except WriteRefused as error:
                target = form.note if "few words" in str(error) else form.method
                target.errors = [*target.errors, str(error)]
            else:
                logger.info("admin: service %s confirmed", service.id)
                flash(f"{service.name}: confirmed today.", "success")
                return redirect(return_url)
        return self.render("signpost_admin/service_confirm.html", service=service, form=form,
                           review=review(service.status, service.last_verified),
                           areas=area_label(service), return_url=return_url)

    @expose("/history/")
    def history_view(self) -> Any:
        """The service's audit trail in words: who, when (London time), what changed."""
        service = self.session.get(Service, request.args.get("id", ""))
        if service is None:
            flash("That service no longer exists.", "error")
            return redirect(self.get_url(".index_view"))
        return self.render("signpost_admin/history.html", service=service,
                           entries=service_history(self.session, service),
                           long_date=long_date)

    # ------------------------------------------------------------ actions

    def _apply_to(self, ids: list[str], *, deleted: bool, audit_action: str,
                  change: Any, done: str) -> None:
        """Change each chosen service through one service-layer write: all or nothing."""
        condition = Service.deleted_at.is_not(None) if deleted else Service.deleted_at.is_(None)
        services = list(self.session.execute(
            select(Service).where(Service.id.in_(list(ids)), condition).order_by(Service.id)
        ).scalars())
        if not services:
            flash("No matching services: nothing was changed.", "error")
            return
        if not all(may_change(service) for service in services):
            flash(outside_borough_message() + " Nothing was changed.", "error")
            return
        write = DirectoryWrite(self.session, staff_email())
        for service in services:
            write.track(service, parts=False)
            write.action(service, audit_action)
            change(service)
            service.updated_at = utcnow()
        try:
            write.commit()
        except WriteRefused as error:
            flash(str(error), "error")
            return
        flash(f"{len(services)} service(s) {done}.", "success")

    @action("soft_delete", "Delete (restorable)",
            "Delete the selected services? They disappear from the bot and the API at once; "
            "you can restore them from Deleted services.")
    def action_soft_delete(self, ids: list[str]) -> None:
        now = utcnow()

        def delete(service: Service) -> None:
            service.deleted_at = now

        self._apply_to(ids, deleted=False, audit_action="soft_delete", change=delete,
                       done="deleted (restore them from Deleted services)")


class DeletedServiceView(ServiceView):
    """Soft-deleted services, to look at and restore."""

    can_edit = False
    column_list = ("name", "organization", "areas", "deleted_at")
    column_labels = {**ServiceView.column_labels, "deleted_at": "Deleted at"}
    column_sortable_list = ("name", "deleted_at")
    column_default_sort = ("deleted_at", True)
    column_details_list = (*ServiceView.column_details_list, "deleted_at")

    def __init__(self, session: Any, **kwargs: Any) -> None:
        kwargs.setdefault("name", "Deleted services")
        kwargs.setdefault("endpoint", "deleted_service")
        kwargs.setdefault("url", "deleted-services")
        super().__init__(session, **kwargs)

    def _live(self, query: Any) -> Any:
        return query.filter(Service.deleted_at.is_not(None))

    def get_one(self, id: str) -> Service | None:
        service = self.session.get(Service, id)
        return service if service is not None and service.deleted_at is not None else None

    def is_action_allowed(self, name: str) -> bool:
        return name == "restore"

    @action("restore", "Restore", "Restore the selected services to the bot and the API?")
    def action_restore(self, ids: list[str]) -> None:
        def restore(service: Service) -> None:
            service.deleted_at = None

        self._apply_to(ids, deleted=True, audit_action="restore", change=restore,
                       done="restored")

    def get_actions_list(self) -> tuple[list, dict]:
        actions, confirmations = super().get_actions_list()
        return ([item for item in actions if item[0] == "restore"],
                {k: v for k, v in confirmations.items() if k == "restore"})
