"""The one place where text from input files is made safe for HTML and JavaScript.

Every text a user supplied (names, descriptions, titles, sources ...) reaches the
map page in one of two ways only:

* as JSON data inside a ``<script>`` element, made by :func:`to_js`; the page's
  own script then puts it on screen with ``textContent`` (never ``innerHTML``);
* as HTML text, made by :func:`escape_html` (the layer control, the page title,
  the per-wijk index page).

Nothing builds JavaScript by concatenating user text.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

import numpy as np

# Characters that could end a <script> element, open an HTML comment or a CDATA
# section, or break a JavaScript string in older engines. JSON allows "\uXXXX"
# for each of them, so the data stays exactly the same after parsing.
_JS_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def escape_html(text: object) -> str:
    """HTML-escape any value for use as element text or a quoted attribute value.

    ``None`` and NaN become an empty string.

    Examples
    --------
    >>> escape_html("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return html.escape(str(text), quote=True)


def to_js(obj: Any) -> str:
    """Serialise data as a JavaScript literal that is safe inside ``<script>``.

    Uses JSON (so ``${...}``, backticks, quotes and backslashes are plain string
    content) and replaces ``<``, ``>``, ``&`` and the line separators by their
    ``\\u`` escapes, so neither ``</script>`` nor ``<!--`` can appear in the page.
    NaN and infinities become ``null``. Keys are text or numbers (a key True or None
    would read "true"/"null" here, not "True"/"None").
    """
    try:  # fast path: the tree is already plain (no NaN, str keys); numpy scalars are converted on the way
        text = _dumps(obj, _plain)
    except (ValueError, TypeError):  # a NaN, an infinity or an odd key somewhere: clean the whole tree
        text = _dumps(_clean(obj), None)
    for char, code in _JS_UNSAFE.items():  # str.replace per character: far faster than translate on MBs
        text = text.replace(char, code)
    return text


def _dumps(obj: Any, default) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=default)


def _plain(obj: Any) -> Any:
    """A numpy scalar as a Python one (json calls this for types it does not know).

    ValueError for a NaN or infinite one and TypeError for any other type: the caller then
    takes the slow path, which makes the same text.
    """
    if isinstance(obj, np.generic):
        value = obj.item()
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("not finite")
        return value
    raise TypeError(type(obj).__name__)


def _clean(obj: Any) -> Any:
    """Replace NaN/inf by None and numpy scalars by Python ones, recursively."""
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        return None if not math.isfinite(obj) else obj
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj
