"""The folium pieces of the HTML map: the page, our script's layers and calls, layer-control names.

Every piece only names a function of ``assets/map.js`` (``ABCD.<name>``) and hands
it data serialised with :func:`abcd_map.render.escape.to_js` (via Jinja's
``tojavascript``); no user text is ever spliced into JavaScript.
"""

from __future__ import annotations

import re
from typing import Any

import offlinefolium
from branca.element import Element, Figure, MacroElement
from offlinefolium.map import Layer
from offlinefolium.template import Template

from ._style import asset_text, safe_colour
from .escape import escape_html, to_js

_LEAFLET_JS = ("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")
_LEAFLET_CSS = ("leaflet_css", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css")


class AbcdMap(offlinefolium.Map):
    """A folium Map with only Leaflet's own assets plus abcd-map's data, CSS and script."""

    default_js = [_LEAFLET_JS]
    default_css = [_LEAFLET_CSS]

    def __init__(self, data: dict, page_title: str, **kwargs: Any):
        super().__init__(tiles=None, **kwargs)
        self.abcd_data = data
        self.page_title = page_title

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        if isinstance(figure, Figure):
            figure._template = _DUTCH_PAGE  # <html lang="nl">: screen readers speak Dutch
        super().render(**kwargs)
        header = figure.header
        # folium's viewport forbids pinch-zoom (maximum-scale=1, user-scalable=no): allow it
        own = header._children.get(self.get_name())
        if own is not None:
            text = own.render()
            header.add_child(_Raw(_VIEWPORT_RE.sub(_VIEWPORT, text)), name=self.get_name())
        # After Leaflet and plugins (added while rendering), so our CSS wins and L exists.
        header.add_child(_Raw(f"<title>{escape_html(self.page_title)}</title>"), name="abcd_title")
        header.add_child(_Raw(f"<style>{compact_css(asset_text('map.css'))}</style>"), name="abcd_css")
        header.add_child(_Raw(f"<style>{compact_css(asset_text('list.css'))}</style>"), name="abcd_list_css")
        # JSON in a non-executed script block: parsed with JSON.parse (faster than a JS literal).
        header.add_child(_Raw(f'<script type="application/json" id="abcd-data">{to_js(self.abcd_data)}</script>'),
                         name="abcd_data")
        # one clustering index across all categories (vendored, ISC; see assets/vendor/README.md)
        header.add_child(_Raw(f"<script>{asset_text('vendor/supercluster.min.js')}</script>"), name="abcd_cluster_js")
        header.add_child(_Raw(f"<script>{compact_js(asset_text('map.js'))}</script>"), name="abcd_js")
        # the list beside the map: talks to map.js only through window.ABCD and its events
        header.add_child(_Raw(f"<script>{compact_js(asset_text('list.js'))}</script>"), name="abcd_list_js")


def compact_js(source: str) -> str:
    """Our own script without its head comment, indentation, blank lines and whole-line ``//`` comments.

    A smaller page. Every line keeps its own line, so no statement changes; our scripts have
    no template literals or strings continued over lines, where this would change a string.
    """
    if source.startswith("/*"):
        source = source[source.index("*/") + 2:]
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


def unindent_page(html: str) -> str:
    """The whole page without line indentation (folium's templates indent deeply): a smaller file.

    Only leading spaces and tabs go and no line is joined; nothing in the page continues a
    string over lines (the data are JSON on one line; Leaflet and the plugins are minified).
    """
    return re.sub(r"(?m)^[ \t]+", "", html)


def compact_css(source: str) -> str:
    """Our own style sheet without comments, indentation and blank lines (our CSS has no ``/*`` in a string)."""
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    return "\n".join(line.strip() for line in source.splitlines() if line.strip())


_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1.0" />'
_VIEWPORT_RE = re.compile(r'<meta name="viewport"[^>]*>')
# branca's Figure page, with the page language
_DUTCH_PAGE = Template(
    "<!DOCTYPE html>\n"
    '<html lang="nl">\n'
    "<head>\n"
    "{% if this.title %}<title>{{this.title}}</title>{% endif %}"
    "    {{this.header.render(**kwargs)}}\n"
    "</head>\n"
    "<body>\n"
    "    {{this.html.render(**kwargs)}}\n"
    "</body>\n"
    "<script>\n"
    "    {{this.script.render(**kwargs)}}\n"
    "</script>\n"
    "</html>\n",
)


class _Raw(Element):
    """Literal HTML (branca's Element would run its text through Jinja)."""

    def __init__(self, text: str):
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:  # noqa: D102
        return self._text


def _js_name(name: str) -> str:
    """A function name of ``ABCD`` in map.js: letters only, so it cannot carry code."""
    if not re.fullmatch(r"[A-Za-z]+", name):
        raise ValueError(name)
    return name


class JsLayer(Layer):
    """A layer made by one of the ``ABCD.*`` factories in map.js."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = ABCD.{{ this.factory }}({{ this.arg|tojavascript }});"
        "{% endmacro %}"
    )

    def __init__(self, factory: str, arg: Any, name: str, show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "AbcdLayer"
        self.factory = _js_name(factory)
        self.arg = arg


class Call(MacroElement):
    """``ABCD.<fn>(<parent>[, arg]);`` in the map script."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "ABCD.{{ this.fn }}({{ this._parent.get_name() }}{% if this.arg is not none %}, "
        "{{ this.arg|tojavascript }}{% endif %});"
        "{% endmacro %}"
    )

    def __init__(self, fn: str, arg: Any = None):
        super().__init__()
        self._name = "AbcdCall"
        self.fn = _js_name(fn)
        self.arg = arg


def layer_name(text: str, colour: str | None = None, count: int | None = None, swatch: str | None = None) -> str:
    """HTML of a layer-control entry; the text is escaped (the control uses innerHTML).

    ``colour`` adds a round dot (asset layers), ``swatch`` a gap-style swatch (``white``, ``knowledge``):
    the layer list is the legend of these layers.
    """
    dot = f'<span class="abcd-swatch-dot" style="background:{safe_colour(colour)}"></span>' if colour else ""
    if swatch and re.fullmatch(r"[a-z]+", swatch):
        dot += f'<span class="abcd-swatch abcd-gap-{swatch}"></span>'
    n = f' <span class="abcd-n">({count})</span>' if count is not None else ""
    return f"{dot}{escape_html(text)}{n}"
