"""Replicas on one machine each get their share of its cores for numpy's BLAS threads, so two
replicas' sentence-encoder threads do not fight over the same cores (bot/replicas/stack.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.replicas import stack as stack_module
from bot.replicas.stack import ReplicaStack

THREAD_SETTINGS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@pytest.fixture
def make_stack() -> Iterator:
    made: list[ReplicaStack] = []

    def make(replicas: int, env: dict[str, str] | None = None) -> ReplicaStack:
        stack = ReplicaStack(model=Path("unused.tar.gz"), replicas=replicas)
        stack.env = dict(env or {})
        made.append(stack)
        return stack

    yield make
    for stack in made:
        shutil.rmtree(stack.run_dir, ignore_errors=True)


@pytest.mark.parametrize(("cores", "replicas", "threads"), [(2, 1, "2"), (2, 2, "1"), (8, 2, "4"),
                                                             (2, 3, "1"), (None, 2, "1")])
def test_each_replica_gets_its_share_of_the_cores(make_stack, monkeypatch: pytest.MonkeyPatch,
                                                   cores: int | None, replicas: int, threads: str) -> None:
    monkeypatch.setattr(stack_module.os, "cpu_count", lambda: cores)
    env = make_stack(replicas)._replica_environment()
    assert {name: env[name] for name in THREAD_SETTINGS} == dict.fromkeys(THREAD_SETTINGS, threads)


def test_an_explicit_setting_wins(make_stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stack_module.os, "cpu_count", lambda: 8)
    env = make_stack(2, {"OPENBLAS_NUM_THREADS": "3"})._replica_environment()
    assert env["OPENBLAS_NUM_THREADS"] == "3"
    assert env["OMP_NUM_THREADS"] == "4"


def test_the_shared_environment_is_not_changed(make_stack) -> None:
    stack = make_stack(2, {"REDIS_URL": "redis://127.0.0.1:1"})
    stack._replica_environment()
    assert stack.env == {"REDIS_URL": "redis://127.0.0.1:1"}
