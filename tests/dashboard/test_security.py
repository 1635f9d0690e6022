from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_repeated_wrong_passwords_lock_the_login_with_a_clear_message(client, alice):
    url = reverse("login")
    for _ in range(4):
        response = client.post(url, {"username": "alice", "password": "wrong"})
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
    assert client.post(url, {"username": "alice", "password": "wrong"}).status_code == 429  # the 5th locks
    # now even the right password is refused until the cool-off ends
    locked = client.post(url, {"username": "alice", "password": "alice-password-1"})
    assert locked.status_code == 429
    assert "登录已被暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_correct_password_logs_in_before_the_limit(client, alice):
    client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "alice", "password": "alice-password-1"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_pages_carry_a_content_security_policy_without_inline_script(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.content.decode()


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    import subprocess
    import sys

    from tests.paths import REPO

    env = {"PATH": "/usr/bin:/bin", "DEBUG": "false", "DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "dashboard.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_deploy_checklist_is_clean_in_production_settings(tmp_path):
    import subprocess
    import sys

    from tests.paths import REPO

    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-0123456789",
        "ALLOWED_HOSTS": "gk.example.gov.cn",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
