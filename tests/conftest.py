"""Shared fixtures, thin wrappers over tests/support (import helpers from there, not from here).

The `stack` fixture runs the real assistant once per session (tests.support.stack.start_stack):
the trained model in a real Rasa server with our channels, the real action server and a real
SQLite directory, on free loopback ports. End-to-end tests talk to it over HTTP only.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

# Re-exported for test files written before tests/support existed; new code imports tests.support.
from tests.support.ports import free_port
from tests.support.stack import ROOT, Stack, new_tab_id, start_stack
from tests.support.stack import wait_until_up as _wait

__all__ = ["ROOT", "Stack", "_wait", "free_port", "new_tab_id", "stack"]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from bot.training import model_path

    if not model_path().exists():
        pytest.fail("no trained model for the current data: run `make test`, which trains it")
    with start_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture(autouse=True)
def _root_logger_as_it_was() -> Iterator[None]:
    """A test that runs the `signpost` command configures the root logger as the real command
    does (bot.logging_redaction.install); put it back, so no later test sees its level or
    handlers and each test reads the same output whatever ran before it."""
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
