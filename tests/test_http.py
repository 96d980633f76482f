"""The shared HTTP + cache plumbing of the online loaders (no network: requests.get is replaced)."""

from __future__ import annotations

import pytest

from abcd_map import _http
from abcd_map.errors import OfflineError


def test_cached_json_makes_once_then_reads(tmp_path):
    path = tmp_path / "pdok" / "a.json"
    made = []
    make = lambda: made.append(1) or {"features": [1, 2]}  # noqa: E731
    assert _http.cached_json(path, make) == {"features": [1, 2]}
    assert _http.cached_json(path, make) == {"features": [1, 2]}
    assert made == [1] and not list(path.parent.glob("*.tmp"))


def test_cached_json_write_false_leaves_no_file(tmp_path):
    # how a person's address stays off the disk
    path = tmp_path / "geocode" / "b.json"
    assert _http.cached_json(path, lambda: {"x": 1}, write=False) == {"x": 1}
    assert not path.parent.exists()


def test_cached_json_unreadable_file_is_made_again(tmp_path):
    path = tmp_path / "c.json"
    path.write_text("{half", encoding="utf-8")
    assert _http.cached_json(path, lambda: {"ok": True}) == {"ok": True}
    assert _http.cached_json(path, lambda: pytest.fail("not read")) == {"ok": True}


def test_cache_path_keeps_the_old_names(tmp_path, monkeypatch):
    monkeypatch.setenv("ABCD_MAP_CACHE", str(tmp_path))
    # sha256 of 'markt 1 delft', as the geocoding cache has always named its files
    path = _http.cache_path("geocode", "markt 1 delft")
    assert path.parent == tmp_path / "geocode" and len(path.stem) == 64
    short = _http.cache_path("pdok", "x", prefix="buurten_", algorithm="sha1", length=16)
    assert short.name == "buurten_11f6ad8ec52a2984.json"


@pytest.mark.parametrize("error, message", [
    ("ConnectionError", "weg"),
    ("Timeout", "weg"),
    ("HTTPError", "kapot: boem"),
    ("TooManyRedirects", "weg"),
])
def test_get_json_failures_are_dutch_offline_errors(monkeypatch, error, message):
    import requests

    def fail(*args, **kwargs):
        raise getattr(requests, error)("boem")

    monkeypatch.setattr(requests, "get", fail)
    with pytest.raises(OfflineError) as info:
        _http.get_json("https://example.invalid", {}, timeout=1, offline_message="weg",
                       unusable_message="kapot")
    assert str(info.value) == message


def test_get_json_without_unusable_message_says_offline(monkeypatch):
    import requests

    class Answer:
        def raise_for_status(self):
            pass

        def json(self):
            raise ValueError("geen json")

    monkeypatch.setattr(requests, "get", lambda *a, **k: Answer())
    with pytest.raises(OfflineError, match="^weg$"):
        _http.get_json("https://example.invalid", {}, timeout=1, offline_message="weg")
