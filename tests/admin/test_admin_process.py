"""`python -m bot.webfront` serves the directory API and the staff admin, configured only by
the environment, as `make run` starts it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from admin_support import STAFF_EMAIL, STAFF_PASSWORD, STAFF_TOTP_SECRET, csrf_token, totp_code

from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _wait(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"web front exited early: {proc.stdout.read()}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


def test_python_m_bot_webfront_serves_api_and_admin(db_url, tmp_path):
    port = free_port()
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": db_url,
        "WEBFRONT_HOST": "127.0.0.1",
        "WEBFRONT_PORT": str(port),
        "WEBFRONT_TOKEN": secrets.token_urlsafe(16),
        "RASA_URL": "http://127.0.0.1:9",
        "ADMIN_SECRET_KEY": secrets.token_urlsafe(32),
        "PYTHONPATH": str(ROOT),
    })
    proc = subprocess.Popen([sys.executable, "-m", "bot.webfront"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/healthz", proc)
        listed = requests.get(f"{base}/api/services?per_page=2", timeout=10)
        assert listed.status_code == 200 and len(listed.json()["contents"]) == 2
        assert requests.get(f"{base}/api/services/nope", timeout=10).status_code == 404

        staff = requests.Session()
        gate = staff.get(f"{base}/admin/", allow_redirects=False, timeout=10)
        assert gate.status_code == 302 and "/admin/login/" in gate.headers["Location"]
        page = staff.get(f"{base}/admin/login/", timeout=10)
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        signed_in = staff.post(f"{base}/admin/login/", timeout=30, data={
            "email": STAFF_EMAIL, "password": STAFF_PASSWORD,
            "csrf_token": csrf_token(page.text)})
        assert signed_in.status_code == 200 and signed_in.url == f"{base}/admin/login/code/"
        signed_in = staff.post(signed_in.url, timeout=30, data={
            "code": totp_code(STAFF_TOTP_SECRET), "csrf_token": csrf_token(signed_in.text)})
        assert signed_in.status_code == 200 and signed_in.url == f"{base}/admin/"
        assert "Forced Marriage Unit" in staff.get(f"{base}/admin/service/?search=Forced",
                                                   timeout=10).text
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=20)
    assert "ADMIN_SECRET_KEY is not set" not in output
    assert STAFF_PASSWORD not in output
