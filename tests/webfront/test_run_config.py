"""What `make run` hands supervisord, with and without the HAProxy edge (the e2e test in
tests/e2e/test_run_supervisor.py runs the real thing with it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from supervisor.options import ServerOptions

from bot.supervision import RunConfig, supervisord_config


def parsed(text: str, tmp_path: Path) -> dict[str, object]:
    path = tmp_path / "supervisord.conf"
    path.write_text(text)
    options = ServerOptions()
    options.realize(args=["-c", str(path)])
    return {group.name: group.process_configs[0] for group in options.process_group_configs}


def config(haproxy: str | None, **overrides: object) -> RunConfig:
    values: dict[str, object] = dict(rasa_port=5005, action_port=5055, public_host="0.0.0.0",
                                     public_port=8080, web_backend_port=8081, haproxy=haproxy,
                                     trusted_upstreams=())
    values.update(overrides)
    return RunConfig(**values)


def test_with_the_edge_the_web_front_hides_on_loopback_behind_it(tmp_path: Path) -> None:
    programs = parsed(supervisord_config(config("/usr/sbin/haproxy"), Path("/m.tar.gz"), tmp_path,
                                         tmp_path / "haproxy.cfg"), tmp_path)
    assert set(programs) == {"actions", "rasa", "web", "edge"}
    web = programs["web"]
    assert web.environment["WEBFRONT_HOST"] == "127.0.0.1"
    assert web.environment["WEBFRONT_PORT"] == "8081"
    assert web.environment["WEBFRONT_TRUSTED_PROXIES"] == "127.0.0.1"
    for program in programs.values():
        assert program.autorestart and program.startretries >= 10
        assert program.stopasgroup and program.killasgroup


def test_without_the_edge_the_web_front_serves_the_public_port(tmp_path: Path) -> None:
    programs = parsed(supervisord_config(config(None), Path("/m.tar.gz"), tmp_path, None), tmp_path)
    assert set(programs) == {"actions", "rasa", "web"}
    assert programs["web"].environment == {"WEBFRONT_HOST": "0.0.0.0", "WEBFRONT_PORT": "8080"}


def test_a_trusted_tls_proxy_in_front_is_trusted_by_the_web_front_too(tmp_path: Path) -> None:
    programs = parsed(supervisord_config(config("/usr/sbin/haproxy", trusted_upstreams=("10.0.0.5",)),
                                         Path("/m.tar.gz"), tmp_path, tmp_path / "h.cfg"), tmp_path)
    assert programs["web"].environment["WEBFRONT_TRUSTED_PROXIES"] == "127.0.0.1,10.0.0.5"


def test_no_secret_is_written_into_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBFRONT_TOKEN", "s3cret-token-value")
    text = supervisord_config(RunConfig.from_mapping(os.environ), Path("/m.tar.gz"), tmp_path, None)
    assert "s3cret-token-value" not in text


def test_run_settings_fall_back_to_safe_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"RASA_PORT": "nope", "WEBFRONT_PORT": "99999", "WEBFRONT_PROXY": "none",
                        "EDGE_TRUSTED_PROXIES": " 10.0.0.5 , not-an-address,"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("WEBFRONT_BACKEND_PORT", raising=False)
    run = RunConfig.from_mapping(os.environ)
    assert (run.rasa_port, run.public_port, run.web_backend_port) == (5005, 8080, 8081)
    assert run.haproxy is None and run.trusted_upstreams == ("10.0.0.5/32",)
