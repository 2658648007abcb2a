"""Which trained model the multi-replica tests load.

`make test` trains the model for the current data first, so it is always there. While data is
being edited and not yet trained, SIGNPOST_TEST_MODEL names another model file to use.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def trained_model() -> Path:
    from bot.training import model_path

    chosen = os.environ.get("SIGNPOST_TEST_MODEL", "").strip()
    path = Path(chosen) if chosen else model_path()
    if not path.exists():
        pytest.fail("no trained model for the current data: run `make test`, which trains it")
    return path
