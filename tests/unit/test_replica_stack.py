"""The multi-replica stack's parts on one machine: each replica gets its share of the cores for
numpy's BLAS threads (bot/replicas/stack.py), and no two parts are given one port
(bot/replicas/processes.py)."""

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


def test_no_two_parts_are_given_the_same_port(monkeypatch: pytest.MonkeyPatch) -> None:
    """A part binds its port only once it has loaded, so the kernel may find the same port free
    twice; a replica whose port another part took exits at start (Rasa exits 0 on "address
    already in use")."""
    from bot.replicas import processes

    monkeypatch.setattr(processes, "_HANDED_OUT", set())
    drawn = iter([20000, 20000, 20001, 20000, 20001, 20002])
    monkeypatch.setattr(processes.random, "randrange", lambda low, high: next(drawn))
    assert [processes.free_port() for _ in range(3)] == [20000, 20001, 20002]


def test_free_ports_lie_below_the_range_for_outgoing_connections() -> None:
    from bot.replicas.processes import _ephemeral_start, free_port

    ports = {free_port() for _ in range(20)}
    assert all(10000 <= port < _ephemeral_start() for port in ports)
    assert len(ports) > 1  # chosen at random, not one fixed port
