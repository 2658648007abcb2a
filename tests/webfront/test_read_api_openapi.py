"""The read API against its own OpenAPI description, fuzzed by schemathesis.

Generated requests (valid ones and, by schemathesis's negative and coverage phases, invalid
ones) go through the whole web front app as `make run` mounts it, over a real seeded SQLite
directory. Every answer must be JSON that matches the description, and none may be a 5xx.
Examples are bounded so this runs in `make test` time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from bot.webfront.__main__ import mount_directory
from bot.webfront.app import create_app
from bot.webfront.config import WebfrontConfig
from tests.support.ports import free_port
from tests.support.webfront import make_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def directory_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'directory.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "bot.cli", "directory", "init"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=240)
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url  # read once, when the API first needs the database
    try:
        app = create_app(make_settings(f"http://127.0.0.1:{free_port()}"),
                         webfront=WebfrontConfig(), extra_setup=mount_directory)
        with app.test_client() as client:  # build the engine now, while the URL is set
            assert client.get("/api/services?per_page=1").status_code == 200
    finally:
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous
    return app


@pytest.fixture(scope="module")
def api_schema(directory_app: Flask) -> schemathesis.schemas.BaseSchema:
    return schemathesis.openapi.from_wsgi("/api/openapi.json", directory_app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_read_api_matches_its_description_and_never_fails(case: schemathesis.Case) -> None:
    # A well-formed postcode or topic can still be one the directory does not know, which is
    # a documented 400: so schema-valid input is not required to succeed. Everything else is
    # checked, including that invalid input is refused and that no answer is a 5xx.
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    assert response.status_code < 500
    if response.status_code != 204:  # OPTIONS: the allowed methods, and no body
        content_type = response.headers.get("content-type") or [""]  # header name -> values
        assert content_type[0].startswith("application/json")


def test_the_description_is_served_and_states_the_real_limits(directory_app: Flask) -> None:
    document = directory_app.test_client().get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    page = next(p for p in document["paths"]["/api/services"]["get"]["parameters"]
                if p["name"] == "page")
    from services_directory.api import MAX_PAGE

    assert page["schema"]["maximum"] == MAX_PAGE


@pytest.mark.parametrize("query", [
    "page=99999999999999999999", "page=0", "page=-1", "page=%C2%B2", "page=1e3",
    "per_page=100000", "postcode=%00", "taxonomy_term=" + "x" * 500, "page=1&page=2",
    "colour=red",
])
def test_a_bad_query_is_a_400_with_a_json_reason(directory_app: Flask, query: str) -> None:
    reply = directory_app.test_client().get(f"/api/services?{query}")
    assert reply.status_code == 400
    assert isinstance(reply.get_json()["error"], str)
