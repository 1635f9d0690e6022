"""dashboard.env: settings from the environment are read strictly, never guessed."""

from __future__ import annotations

import pytest

from dashboard.env import EnvError, database_from_url, env_bool, env_int, env_list


@pytest.mark.parametrize(("raw", "want"), [(None, True), ("", True), ("true", True), ("TRUE", True), ("false", False)])
def test_booleans_are_true_or_false_only(monkeypatch, raw, want):
    if raw is None:
        monkeypatch.delenv("X_FLAG", raising=False)
    else:
        monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", True) is want


@pytest.mark.parametrize("raw", ["yes", "1", "on", "ture"])
def test_an_ambiguous_boolean_is_an_error(monkeypatch, raw):
    monkeypatch.setenv("X_FLAG", raw)
    with pytest.raises(EnvError, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_integers_with_a_minimum(monkeypatch):
    monkeypatch.delenv("X_N", raising=False)
    assert env_int("X_N", 7, minimum=5) == 7
    monkeypatch.setenv("X_N", "12")
    assert env_int("X_N", 7, minimum=5) == 12
    monkeypatch.setenv("X_N", "4")
    with pytest.raises(EnvError, match="at least 5"):
        env_int("X_N", 7, minimum=5)
    monkeypatch.setenv("X_N", "12s")
    with pytest.raises(EnvError, match="whole number"):
        env_int("X_N", 7)


def test_lists_drop_blanks(monkeypatch):
    monkeypatch.setenv("X_HOSTS", " a.example , ,b.example ")
    assert env_list("X_HOSTS") == ["a.example", "b.example"]
    monkeypatch.setenv("X_HOSTS", "  ")
    assert env_list("X_HOSTS", ["localhost"]) == ["localhost"]


def test_a_postgres_url_with_an_encoded_password_and_options():
    db = database_from_url("postgres://ttd:p%40ss%2Fw@db.internal:6543/gk?sslmode=require")
    assert (db["ENGINE"], db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "django.db.backends.postgresql", "gk", "ttd", "p@ss/w", "db.internal", "6543")
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_a_postgres_url_must_name_its_database():
    with pytest.raises(EnvError, match="name a database"):
        database_from_url("postgres://ttd@db.internal:5432/")


@pytest.mark.parametrize(("url", "path"), [("sqlite:///data/db.sqlite3", "data/db.sqlite3"),
                                           ("sqlite:////var/lib/ttd/db.sqlite3", "/var/lib/ttd/db.sqlite3")])
def test_sqlite_urls_relative_and_absolute(url, path):
    db = database_from_url(url)
    assert (db["ENGINE"], db["NAME"]) == ("django.db.backends.sqlite3", path)
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_an_unknown_scheme_is_refused():
    with pytest.raises(EnvError, match="mysql"):
        database_from_url("mysql://root@localhost/gk")
