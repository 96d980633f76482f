"""A tiny Chrome DevTools Protocol client for the map tests (no websocket package needed).

Chromium is started headless with ``--remote-debugging-pipe``: commands go over
file descriptor 3 and answers come back over 4, as NUL-terminated JSON. When
``unshare -n`` works (root on Linux) the browser runs without any network;
otherwise every host name resolves to nothing and a dead proxy is set, so a
page that tried to load something from the internet would fail visibly.

Used by ``tests/test_browser.py`` and ``benchmarks/bench_map.py``; the lead can
call :func:`save_screenshot` for the README picture.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
]


def require_chromium() -> None:
    """Skip a browser test without Chromium, but fail it on CI (env CI=true), where it must run."""
    import pytest

    if find_chromium() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium ontbreekt op CI: installeer het pakket 'chromium'")
        pytest.skip("chromium ontbreekt (/usr/bin/chromium): browsertests overgeslagen")


def find_chromium() -> str | None:
    """Path of a Chromium binary, or None."""
    env = os.environ.get("CHROMIUM")
    for path in ([env] if env else []) + CHROMIUM_CANDIDATES:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def _unshare_works() -> bool:
    exe = shutil.which("unshare")
    if not exe:
        return False
    try:
        return subprocess.run([exe, "-n", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class BrowserError(RuntimeError):
    """The browser answered a command with an error or went away."""


class Browser:
    """One fresh headless Chromium with one page; use as a context manager."""

    def __init__(self, width: int = 1400, height: int = 900, chromium: str | None = None):
        self.chromium = chromium or find_chromium()
        if not self.chromium:
            raise FileNotFoundError("chromium niet gevonden")
        self.width, self.height = width, height
        self.profile = tempfile.mkdtemp(prefix="abcd_chromium_")
        self._id = 0
        self._buf = b""
        self.events: list[dict] = []
        r_in, w_in = os.pipe()
        r_out, w_out = os.pipe()
        cmd = [self.chromium, *FLAGS, f"--user-data-dir={self.profile}",
               f"--window-size={width},{height}", "--remote-debugging-pipe", "about:blank"]
        if _unshare_works():
            cmd = ["unshare", "-n", *cmd]

        def child_fds() -> None:
            os.dup2(r_in, 3)
            os.dup2(w_out, 4)

        self.proc = subprocess.Popen(cmd, pass_fds=(3, 4), preexec_fn=child_fds,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(r_in)
        os.close(w_out)
        self._w = os.fdopen(w_in, "wb", buffering=0)
        self._r = os.fdopen(r_out, "rb", buffering=0)
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for method in ("Page.enable", "Runtime.enable", "Log.enable"):
            self.send(method, session=self.session)
        # below 700 px wide the page is a phone: touch, and the viewport meta tag counts
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 700},
                  session=self.session)
        if width < 700:
            self.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5}, session=self.session)

    # ------------------------------------------------------------ protocol
    def _read(self) -> dict:
        while b"\0" not in self._buf:
            chunk = self._r.read(1 << 20)
            if not chunk:
                raise BrowserError("chromium sloot de verbinding")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and wait for its answer (events meanwhile are kept)."""
        self._id += 1
        mid = self._id
        msg: dict[str, Any] = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self._w.write(json.dumps(msg).encode() + b"\0")
        while True:
            answer = self._read()
            if answer.get("id") == mid:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def cmd(self, method: str, params: dict | None = None) -> dict:
        """A command on the page."""
        return self.send(method, params, session=self.session)

    def wait_event(self, name: str, timeout: float = 60) -> dict:
        t0 = time.time()
        while time.time() - t0 < timeout:
            for i, e in enumerate(self.events):
                if e.get("method") == name:
                    return self.events.pop(i)
            self.events.append(self._read())
        raise TimeoutError(name)

    # ------------------------------------------------------------ page
    def open(self, path: str | os.PathLike, wait_for: str = "window.__abcd_ready === true",
             timeout: float = 30) -> None:
        """Open a local HTML file and wait until ``wait_for`` is true."""
        url = Path(path).resolve().as_uri()
        self.cmd("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired", timeout=timeout)
        if wait_for:
            self.wait_until(wait_for, timeout=timeout)

    def eval(self, expression: str, await_promise: bool = False) -> Any:
        """Evaluate JavaScript in the page and return its (JSON) value."""
        res = self.cmd("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                            "awaitPromise": await_promise})
        if "exceptionDetails" in res:
            raise BrowserError(_exception_text(res["exceptionDetails"]))
        return res.get("result", {}).get("value")

    def wait_until(self, expression: str, timeout: float = 10) -> Any:
        t0 = time.time()
        while time.time() - t0 < timeout:
            try:
                value = self.eval(expression)
            except BrowserError:
                value = None
            if value:
                return value
            time.sleep(0.05)
        raise TimeoutError(expression)

    def mouse(self, kind: str, x: float, y: float) -> None:
        """kind: 'mouseMoved', 'mousePressed' or 'mouseReleased'."""
        params = {"type": kind, "x": x, "y": y, "button": "left" if kind != "mouseMoved" else "none",
                  "clickCount": 1 if kind != "mouseMoved" else 0}
        self.cmd("Input.dispatchMouseEvent", params)

    def click(self, x: float, y: float) -> None:
        self.mouse("mouseMoved", x, y)
        self.mouse("mousePressed", x, y)
        self.mouse("mouseReleased", x, y)

    def type_text(self, text: str) -> None:
        self.cmd("Input.insertText", {"text": text})

    _KEYS = {"Enter": 13, "Escape": 27, "ArrowDown": 40, "ArrowUp": 38, "Tab": 9}

    def key(self, key: str) -> None:
        """Press and release one key ('Enter', 'Escape', 'ArrowDown', or a letter such as 'p')."""
        code = self._KEYS.get(key, ord(key.upper()) if len(key) == 1 else 0)
        down = {"type": "keyDown", "key": key, "windowsVirtualKeyCode": code}
        if len(key) == 1:
            down.update(text=key, code="Key" + key.upper())
        elif key == "Enter":
            down["text"] = "\r"
        self.cmd("Input.dispatchKeyEvent", down)
        self.cmd("Input.dispatchKeyEvent", {"type": "keyUp", "key": key, "windowsVirtualKeyCode": code})

    def emulate_media(self, media: str = "") -> None:
        """Lay the page out for ``media`` ('print', 'screen'; '' = back to normal)."""
        self.cmd("Emulation.setEmulatedMedia", {"media": media})

    def print_pdf(self, path: str | os.PathLike) -> Path:
        """Print the page to PDF as Chromium's print dialog would (the page's @page size: A4 landscape)."""
        data = self.cmd("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True})["data"]
        path = Path(path)
        path.write_bytes(base64.b64decode(data))
        return path

    def screenshot(self, path: str | os.PathLike) -> Path:
        data = self.cmd("Page.captureScreenshot", {"format": "png"})["data"]
        path = Path(path)
        path.write_bytes(base64.b64decode(data))
        return path

    def errors(self) -> list[str]:
        """Script exceptions, console errors/warnings and failed requests so far."""
        self.eval("0")  # flush pending events
        out = []
        for e in self.events:
            method, p = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                out.append("exception: " + _exception_text(p["exceptionDetails"]))
            elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
                out.append(f"console.{p['type']}: " + " ".join(
                    str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif method == "Log.entryAdded" and p["entry"].get("level") in ("error", "warning"):
                out.append(f"log.{p['entry']['level']}: {p['entry'].get('text', '')} {p['entry'].get('url', '')}")
        return out

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except Exception:  # noqa: BLE001 - already gone
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        for f in (self._w, self._r):
            try:
                f.close()
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _exception_text(details: dict) -> str:
    exc = details.get("exception", {})
    text = exc.get("description") or details.get("text", "")
    return f"{text} (regel {details.get('lineNumber')}, kolom {details.get('columnNumber')})"


FIRST_DRAW_JS = """
<script>
window.__t_scripts = performance.now();
requestAnimationFrame(function () { window.__t_drawn = performance.now(); });
</script>
"""


def time_to_first_draw(html_path: str | os.PathLike, runs: int = 3) -> dict:
    """Open the map in ``runs`` fresh browsers; ms from navigation to the first frame after the scripts ran.

    Returns median and all values of ``t_drawn`` (first animation frame after
    the map's scripts) and ``t_scripts`` (scripts done).
    """
    src = Path(html_path).read_text(encoding="utf-8")
    i = src.rfind("</html>")
    copy_dir = tempfile.mkdtemp(prefix="abcd_bench_")
    copy = Path(copy_dir) / Path(html_path).name
    copy.write_text(src[:i] + FIRST_DRAW_JS + src[i:] if i >= 0 else src + FIRST_DRAW_JS, encoding="utf-8")
    drawn, scripts = [], []
    try:
        for _ in range(runs):
            with Browser() as b:
                b.open(copy, wait_for="window.__t_drawn !== undefined")
                drawn.append(b.eval("window.__t_drawn"))
                scripts.append(b.eval("window.__t_scripts"))
    finally:
        shutil.rmtree(copy_dir, ignore_errors=True)
    return {"t_drawn_ms": statistics.median(drawn), "t_scripts_ms": statistics.median(scripts),
            "runs_drawn_ms": drawn}


def save_screenshot(html_path: str | os.PathLike, png_path: str | os.PathLike,
                    width: int = 1400, height: int = 900, wait_ms: int = 300) -> Path:
    """Open a map in headless Chromium and save a PNG of it (for the README)."""
    with Browser(width=width, height=height) as b:
        b.open(html_path)
        time.sleep(wait_ms / 1000)
        return b.screenshot(png_path)


def save_layout_screenshots(html_path: str | os.PathLike, folder: str | os.PathLike) -> list[Path]:
    """The map as a phone (390x844), a projector in presentation mode (1280x720) and on A4 paper.

    Writes ``kaart-telefoon.png``, ``kaart-beamer.png`` and ``kaart-print.png`` into ``folder``
    (for docs/). The print picture is Chromium's own print-to-PDF, rendered by ``pdftoppm``
    when poppler is installed; otherwise a screenshot with print media emulated.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    with Browser(width=390, height=844) as b:
        b.open(html_path)
        time.sleep(0.5)
        out.append(b.screenshot(folder / "kaart-telefoon.png"))
    with Browser(width=1280, height=720) as b:
        b.open(html_path)
        b.eval("ABCD.present(true)")
        time.sleep(0.5)
        out.append(b.screenshot(folder / "kaart-beamer.png"))
    # A4 landscape less 8 mm margins at 96 dpi
    with Browser(width=1062, height=726) as b:
        b.open(html_path)
        png = folder / "kaart-print.png"
        pdftoppm = shutil.which("pdftoppm")
        if pdftoppm:
            with tempfile.TemporaryDirectory() as tmp:
                pdf = b.print_pdf(Path(tmp) / "kaart.pdf")
                subprocess.run([pdftoppm, "-png", "-r", "90", "-singlefile", str(pdf), str(png.with_suffix(""))],
                               check=True)
        else:
            b.emulate_media("print")
            time.sleep(0.5)
            b.screenshot(png)
        out.append(png)
    return out


# ------------------------------------------------------------------ accessibility (tests/test_browser_a11y.py)
#: axe-core, vendored for the tests only (vendor/axe-core/README.md); never part of the map page
AXE_JS = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
#: the WCAG 2.1 A and AA rules (the issue's target), nothing of axe's "best practice" set
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_AXE_RUN = """axe.run(document, {runOnly: {type: 'tag', values: %s}}).then(function (r) {
  return JSON.stringify(r.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(function (n) {
      return n.target.join(' ') + ': ' + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 240); }),
      count: v.nodes.length}; })); })"""


def axe_violations(b: Browser, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """Run axe-core (WCAG 2.1 A/AA rules) on the page as it is now; its violations of these impacts.

    axe is injected into the page on the first call (from ``vendor/axe-core``).
    Each violation: ``{id, impact, help, nodes: ['selector: why', ...] (at most 5), count}``.
    """
    if not b.eval("typeof window.axe === 'object'"):
        b.eval(AXE_JS.read_text(encoding="utf-8") + "; 0")
    found = json.loads(b.eval(_AXE_RUN % json.dumps(AXE_TAGS), await_promise=True))
    return [v for v in found if v["impact"] in impacts]


def axe_report(violations: list[dict]) -> str:
    """axe's violations as readable lines (for an assertion message)."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']} ({v['count']}x): {v['help']}")
        lines += [f"    {n}" for n in v["nodes"]]
    return "\n".join(lines)


#: what has focus now: tag, classes, its accessible name (roughly), and whether the focus is visible
FOCUSED_JS = """(function () {
  var e = document.activeElement, s = getComputedStyle(e);
  var name = (e.getAttribute('aria-label') || '').trim() || (e.labels && e.labels.length ? e.labels[0].textContent.trim() : '')
    || (e.closest('label') ? e.closest('label').textContent.trim() : '') || e.textContent.trim() || (e.title || '').trim();
  var ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || (s.boxShadow && s.boxShadow !== 'none');
  var r = e.getBoundingClientRect();
  return {tag: e.tagName.toLowerCase(), id: e.id, cls: String(e.getAttribute('class') || ''), name: name.slice(0, 60),
          ring: !!ring, onscreen: r.width > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth,
          svg: !!(e.closest && e.closest('svg'))};
})()"""


def tab_walk(b: Browser, presses: int, stop: str | None = None) -> list[dict]:
    """Press Tab up to ``presses`` times; after each, what has focus (:data:`FOCUSED_JS`).

    Stops early after the element matching the CSS selector ``stop`` got focus.
    """
    seen = []
    for _ in range(presses):
        b.key("Tab")
        seen.append(b.eval(FOCUSED_JS))
        if stop and b.eval(f"document.activeElement.matches({json.dumps(stop)})"):
            break
    return seen


#: text in the panels and popups whose contrast with what is behind it is below WCAG AA
#: (4.5:1, or 3:1 for large text: 24 px, or 18.66 px bold); colours are composited over
#: each ancestor's background (the map background when nothing is opaque)
TEXT_CONTRAST_JS = """(function (roots, fallback) {
  function rgba(c) { var m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) { return null; }
    var p = m[1].split(',').map(parseFloat); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; }
  function over(top, below) { var a = top[3]; return [0, 1, 2].map(function (i) { return top[i] * a + below[i] * (1 - a); }).concat([1]); }
  function lum(c) { var l = c.slice(0, 3).map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; }
  function behind(e) { var layers = [];
    for (var n = e; n && n.nodeType === 1; n = n.parentElement) { var c = rgba(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) { break; } } }
    var bg = rgba(fallback); for (var i = layers.length - 1; i >= 0; i--) { bg = over(layers[i], bg); } return bg; }
  var bad = [], seen = 0;
  document.querySelectorAll(roots).forEach(function (root) {
    var w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (w.nextNode()) {
      var t = w.currentNode, e = t.parentElement;
      if (!t.textContent.trim() || !e.getClientRects().length || e.closest('option, .abcd-search-count')) { continue; }
      var s = getComputedStyle(e);
      if (s.visibility === 'hidden' || s.textShadow !== 'none') { continue; }
      var bg = behind(e), fg = over(rgba(s.color), bg);
      var l1 = lum(fg), l2 = lum(bg), ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      var size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
      var need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
      seen++;
      if (ratio < need) { bad.push(t.textContent.trim().slice(0, 40) + ' (' + s.color + ' on ' + bg.map(Math.round).slice(0, 3).join(',')
        + ', ' + ratio.toFixed(2) + ':1)'); }
    }
  });
  return {checked: seen, bad: bad};
})(%s, %s)"""


def text_contrast_problems(b: Browser, roots: str = ".leaflet-control-container, .leaflet-popup-pane, .leaflet-tooltip-pane",
                           fallback: str = "rgb(238, 240, 236)") -> dict:
    """``{checked: n, bad: [...]}``: texts under ``roots`` below WCAG AA contrast (:data:`TEXT_CONTRAST_JS`).

    ``fallback`` is what shows through where no ancestor is opaque: the map background
    (``.leaflet-container`` in map.css, ``_style.MAP_BACKGROUND``). Text with a text shadow
    (cluster counts, wijk names: a halo makes them readable on any colour) is left to axe.
    """
    return b.eval(TEXT_CONTRAST_JS % (json.dumps(roots), json.dumps(fallback)))


def search_misses(b: "Browser") -> tuple[int, list]:
    """Search the open map for every wijk and buurt by its full name.

    Returns the number of names tried and the misses: (kind, name, first hits) where the
    first hit is not that name, or no exact hit is of that kind.
    """
    areas = b.eval("""(function(){var out = [];
        ABCD_DATA.wijken.table.rows.forEach(function(r){out.push(['wijk', r[ABCD_DATA.wijken.table.cols.indexOf('wijknaam')]]);});
        ABCD_DATA.buurten.table.rows.forEach(function(r){out.push(['buurt', r[ABCD_DATA.buurten.table.cols.indexOf('buurtnaam')]]);});
        return out;})()""")
    misses = []
    for kind, name in areas:
        hits = b.eval(f"ABCD.search({json.dumps(name)})")
        exact = [h for h in hits if h["text"] == name]
        if not hits or hits[0]["text"] != name or kind not in [h["kind"] for h in exact]:
            misses.append((kind, name, hits[:3]))
    return len(areas), misses
