"""Private plumbing: fetch a JSON document over HTTP, and keep JSON documents on disk.

The loaders that go online (PDOK buurten and wijken in :mod:`abcd_map.load.areas`,
the PDOK Locatieserver in :mod:`abcd_map.load.assets`) share these two helpers:

- :func:`get_json` is the one place that touches the network; a failure becomes
  an :class:`~abcd_map.errors.OfflineError` with the caller's Dutch message;
- :func:`cached_json` returns a document from ``settings.cache_folder()`` or
  makes it (usually with :func:`get_json`) and stores it atomically.

Each loader keeps a small module-level function around :func:`get_json`
(``_http_get`` / ``_http_get_json``) so that tests can replace the network.
What may be written to the cache is the caller's decision (``write=False``):
a person's address is never cached.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable

from . import settings
from .errors import OfflineError


def get_json(url: str, params: dict[str, Any], *, timeout: float, offline_message: str,
             unusable_message: str | None = None) -> dict:
    """GET ``url`` with ``params`` and return the JSON answer.

    Parameters
    ----------
    url, params
        Address and query parameters.
    timeout
        Seconds to wait for an answer.
    offline_message
        Dutch text of the OfflineError when the service cannot be reached.
    unusable_message
        Dutch start of the OfflineError text when the service answers with an
        HTTP error or with something that is not JSON (``"<message>: <error>"``);
        None: ``offline_message`` is used for those as well.

    Raises
    ------
    OfflineError
        When the request fails.
    """
    import requests

    try:
        response = requests.get(url, params=params, timeout=timeout)
        response.raise_for_status()
        return response.json()
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise OfflineError(offline_message) from exc
    except (requests.HTTPError, ValueError) as exc:
        text = offline_message if unusable_message is None else f"{unusable_message}: {exc}"
        raise OfflineError(text) from exc
    except requests.RequestException as exc:
        raise OfflineError(offline_message) from exc


def cache_path(folder: str, key: str, *, prefix: str = "", algorithm: str = "sha256",
               length: int | None = None) -> Path:
    """File ``settings.cache_folder()/folder/<prefix><hash of key>.json``.

    ``algorithm`` and ``length`` (characters of the hex digest kept) let every
    cache keep the file names it has always had.
    """
    digest = hashlib.new(algorithm, key.encode("utf-8")).hexdigest()[:length]
    return settings.cache_folder() / folder / f"{prefix}{digest}.json"


def cached_json(path: Path, make: Callable[[], dict], *, read: bool = True, write: bool = True) -> dict:
    """The JSON document stored at ``path``, or ``make()`` (then stored there).

    Parameters
    ----------
    path
        Cache file, e.g. from :func:`cache_path`.
    make
        Makes the document when it is not (or may not be) read from the cache.
    read
        Use a stored document when there is one; an unreadable file counts as none.
    write
        Store a newly made document (atomically: a reader never sees half a file).
    """
    if read and path.exists():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    doc = make()
    if write:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc), encoding="utf-8")
        tmp.replace(path)
    return doc
