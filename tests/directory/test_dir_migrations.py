"""The schema comes only from alembic, matches the models, and migrating is idempotent."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from services_directory.migrate import current_revision, head_revision, upgrade_database
from services_directory.models import Base
from services_directory.vocabulary import TOPICS

EXPECTED_TABLES = {
    "organization", "service", "location", "service_at_location", "phone", "service_area",
    "taxonomy_term", "service_taxonomy", "language", "schedule", "eligibility", "audit_log",
    "staff_account", "postcode", "outward_code", "service_search", "alembic_version",
    "service_source",
}


def test_migrations_create_the_whole_schema(empty_engine):
    assert set(inspect(empty_engine).get_table_names()) == EXPECTED_TABLES
    assert current_revision(empty_engine) == head_revision()


def test_models_and_migrations_agree(empty_engine):
    with empty_engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_migration_seeds_exactly_the_topic_terms(empty_engine):
    with empty_engine.connect() as conn:
        names = set(conn.execute(text("SELECT name FROM taxonomy_term")).scalars())
    assert names == set(TOPICS)


def test_search_indexes_exist(empty_engine):
    key = inspect(empty_engine).get_pk_constraint("service_search")["constrained_columns"]
    assert key[:4] == ["area_key", "topic", "audience_key", "rank"]
    area_indexes = {ix["name"] for ix in inspect(empty_engine).get_indexes("service_area")}
    assert "ix_service_area_borough_code_service_id" in area_indexes


def test_upgrade_is_idempotent_and_accepts_a_url(empty_engine):
    upgrade_database(empty_engine)
    upgrade_database(str(empty_engine.url))
    assert current_revision(empty_engine) == head_revision()


def test_downgrade_and_upgrade_again(empty_engine):
    from alembic import command

    from services_directory.migrate import alembic_config

    config = alembic_config(str(empty_engine.url))
    with empty_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    upgrade_database(empty_engine)
    assert current_revision(empty_engine) == head_revision()


def test_out_of_date_schema_is_reported_clearly(empty_engine):
    from alembic import command

    from services_directory.migrate import SchemaOutOfDate, alembic_config, check_schema_current

    check_schema_current(empty_engine)
    config = alembic_config()
    with empty_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
    with pytest.raises(SchemaOutOfDate, match="signpost directory init"):
        check_schema_current(empty_engine)
