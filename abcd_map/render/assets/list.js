/* abcd-map: the list beside the map (panel "Lijst"), its CSV export and its print page.
 *
 * Talks to map.js only through window.ABCD (leaflet, visible, openAsset, categoryLabel,
 * addPanel, panel) and its events 'abcd:ready', 'abcd:filters', 'abcd:popup' and
 * 'abcd:popupclose'; reads the page data (window.ABCD_DATA) only for which columns the
 * data carry, the category colours and the title lines of the print page.
 *
 * Safety rule as in map.js: every text from an input file goes on screen with textContent;
 * a CSV cell that starts with = + - @ (or a tab / carriage return) gets an apostrophe first,
 * so a spreadsheet never runs it as a formula.
 */
(function () {
  'use strict';

  var STEP = 200;          // rows drawn at a time ("toon meer" adds as many)
  var PRINT_MAX = 1000;    // rows on the print page at most
  var UPDATE_MS = 120;     // debounce of map moves and filter changes
  var MARK_CSV = /^[=+\-@\t\r]/;
  var S = { key: 'afstand', dir: 1, limit: STEP, current: null, rows: [], timer: null, dirty: true };
  var UI = {};
  var COLS = [];

  // ---------------------------------------------------------------- helpers
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function empty(v) { return v === null || v === undefined || v === ''; }
  var NUMBER = new Intl.NumberFormat('nl-NL', { maximumFractionDigits: 0 });  // made once: toLocaleString is slow
  function fmtInt(n) { return NUMBER.format(Math.round(n)); }
  function normalise(s) {
    return String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  }
  function data() { return window.ABCD_DATA || { assets: { n: 0, cols: {} }, meta: {}, categories: [] }; }
  // the page's asset columns by name (compact columns: abcd_map.render._data.encode_column)
  function carries(col) { return col in (data().assets.cols || {}); }
  // 'dd-mm-jjjj' (the page's date format) -> 'jjjj-mm-dd', which sorts and goes into CSV
  function isoDate(v) {
    var m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(String(v || ''));
    return m ? m[3] + '-' + m[2] + '-' + m[1] : String(v || '');
  }
  function categoryColour(code) {
    var cats = data().categories || [];
    for (var i = 0; i < cats.length; i++) { if (cats[i].code === code) { return cats[i].colour; } }
    return '#777777';
  }

  // ---------------------------------------------------------------- columns
  // Only what the page data carry: no buurt without buurt names, no last contact in publiek.
  // text: what a cell shows; key: how it sorts; csv: the CSV header and value.
  function columns() {
    var cols = [
      { key: 'naam', label: 'Naam', csv: 'naam',
        text: function (r) { return empty(r.a.naam) ? 'Zonder naam' : String(r.a.naam); } },
      { key: 'categorie', label: 'Categorie', csv: 'categorie',
        text: function (r) { return window.ABCD.categoryLabel(r.a.categorie); } }
    ];
    if (carries('buurt')) {
      cols.push({ key: 'buurt', label: 'Buurt', csv: 'buurt', text: function (r) { return r.a.buurt || ''; } });
    }
    cols.push({ key: 'afstand', label: 'Afstand', csv: 'afstand_m', numeric: true,
                title: 'Afstand in rechte lijn tot het midden van de kaart',
                text: function (r) { return fmtInt(r.d) + ' m'; }, value: function (r) { return Math.round(r.d); } });
    if (carries('laatste_contact')) {
      cols.push({ key: 'laatste_contact', label: 'Laatste contact', csv: 'laatste_contact', date: true,
                  text: function (r) { return r.a.laatste_contact || ''; },
                  value: function (r) { return empty(r.a.laatste_contact) ? '' : isoDate(r.a.laatste_contact); } });
    }
    return cols;
  }
  // text keys are made once per asset and column (they do not change; the distance does)
  var KEYS = {};
  function sortKey(col, r) {
    if (col.numeric) { return r.d; }
    var cache = KEYS[col.key] || (KEYS[col.key] = []);
    var k = cache[r.i];
    if (k === undefined) { k = cache[r.i] = col.date ? col.value(r) : normalise(col.text(r)); }
    return k;
  }

  // ---------------------------------------------------------------- the rows in view
  // The visible assets (filters, layers) inside the map's view, with their distance to its centre.
  function rowsInView() {
    var map = window.ABCD.leaflet();
    var bounds = map.getBounds(), centre = map.getCenter();
    var out = [];
    window.ABCD.visible().forEach(function (a) {
      if (empty(a.lat) || empty(a.lon) || !bounds.contains([a.lat, a.lon])) { return; }
      out.push({ a: a, i: a._i, d: centre.distanceTo([a.lat, a.lon]) });
    });
    return out;
  }
  // Sorted by the chosen column; empty values last in either direction; ties by name, then distance.
  function sortRows(rows) {
    var col = COLS.filter(function (c) { return c.key === S.key; })[0] || COLS[0];
    var name = COLS[0];
    rows.forEach(function (r) { r.k = sortKey(col, r); r.n = sortKey(name, r); });
    rows.sort(function (x, y) {
      var ex = x.k === '', ey = y.k === '';
      if (ex !== ey) { return ex ? 1 : -1; }
      if (x.k !== y.k) { return (x.k < y.k ? -1 : 1) * S.dir; }
      if (x.n !== y.n) { return x.n < y.n ? -1 : 1; }
      return x.d - y.d;
    });
    return rows;
  }
  function refresh() {
    S.rows = sortRows(rowsInView());
    S.dirty = false;
    return S.rows;
  }

  // ---------------------------------------------------------------- drawing
  function isOpen() { return !!UI.box && !UI.box.classList.contains('abcd-collapsed'); }
  function schedule() {
    S.dirty = true;
    if (!isOpen()) { return; }
    clearTimeout(S.timer);
    S.timer = setTimeout(update, UPDATE_MS);
  }
  function update() {
    clearTimeout(S.timer);
    refresh();
    render();
  }
  function cellsOf(r, tr) {
    COLS.forEach(function (c, k) {
      if (k === 0) {
        var th = el('th');
        th.scope = 'row';
        var b = el('button', 'abcd-list-name', c.text(r));
        b.type = 'button';
        th.appendChild(b);
        tr.appendChild(th);
        return;
      }
      var td = el('td', c.numeric ? 'abcd-list-num' : null);
      if (c.key === 'categorie') {
        var chip = el('span', 'abcd-chip');
        chip.style.background = categoryColour(r.a.categorie);
        td.appendChild(chip);
        td.appendChild(document.createTextNode(c.text(r)));
      } else { td.textContent = c.text(r); }
      tr.appendChild(td);
    });
  }
  function statusText(shown, n) {
    if (!n) { return 'Niets in beeld: zoom uit, schuif de kaart of zet filters uit.'; }
    if (shown === n) { return fmtInt(n) + ' in beeld'; }
    return fmtInt(shown) + ' van ' + fmtInt(n) + ' in beeld';
  }
  function focusedIndex() {
    var f = document.activeElement;
    var tr = f && UI.body && UI.body.contains(f) ? f.closest('tr') : null;
    return tr ? Number(tr.getAttribute('data-i')) : null;
  }
  function render() {
    if (!UI.body) { return; }
    var keep = focusedIndex();
    var rows = S.rows;
    if (S.current !== null) {  // the open popup's row is always drawn
      for (var p = 0; p < rows.length; p++) {
        if (rows[p].i === S.current) { S.limit = Math.max(S.limit, Math.ceil((p + 1) / STEP) * STEP); break; }
      }
    }
    var shown = Math.min(rows.length, S.limit);
    var frag = document.createDocumentFragment();
    for (var k = 0; k < shown; k++) {
      var tr = el('tr');
      tr.setAttribute('data-i', String(rows[k].i));
      cellsOf(rows[k], tr);
      frag.appendChild(tr);
    }
    UI.body.textContent = '';
    UI.body.appendChild(frag);
    UI.status.textContent = statusText(shown, rows.length);
    var more = UI.more.hidden;
    UI.more.hidden = shown >= rows.length;
    UI.more.textContent = 'Toon meer (' + fmtInt(Math.min(STEP, rows.length - shown)) + ')';
    UI.table.hidden = !rows.length;
    markSorted();
    highlight(false);
    if (more !== UI.more.hidden) { fitHeight(); }  // only then the room changes (a layout costs)
    if (keep !== null) {
      var b = buttonOf(keep);
      if (b) { b.focus({ preventScroll: true }); }
    }
  }
  function markSorted() {
    COLS.forEach(function (c, k) {
      var th = UI.heads[k];
      if (c.key === S.key) { th.setAttribute('aria-sort', S.dir > 0 ? 'ascending' : 'descending'); }
      else { th.removeAttribute('aria-sort'); }
    });
  }
  function rowOf(i) { return UI.body ? UI.body.querySelector('tr[data-i="' + Number(i) + '"]') : null; }
  function buttonOf(i) { var tr = rowOf(i); return tr ? tr.querySelector('button') : null; }
  function highlight(scroll) {
    var old = UI.body.querySelectorAll('tr.abcd-list-current');
    for (var k = 0; k < old.length; k++) { old[k].classList.remove('abcd-list-current'); old[k].removeAttribute('aria-current'); }
    if (S.current === null) { return; }
    var tr = rowOf(S.current);
    if (!tr) { return; }
    tr.classList.add('abcd-list-current');
    tr.setAttribute('aria-current', 'true');
    if (scroll) { scrollToRow(tr); }
  }
  // Scroll only the list's own box (scrollIntoView could shift the map's container).
  function scrollToRow(tr) {
    var r = tr.getBoundingClientRect(), b = UI.scroll.getBoundingClientRect();
    var top = b.top + UI.table.tHead.offsetHeight;
    if (r.top < top) { UI.scroll.scrollTop -= top - r.top; }
    else if (r.bottom > b.bottom) { UI.scroll.scrollTop += r.bottom - b.bottom; }
  }
  // The table's scroll box ends above the map's bottom edge (desktop; the phone's sheet has its own height).
  function fitHeight() {
    if (!UI.scroll || !isOpen()) { return; }
    UI.scroll.style.maxHeight = '';
    if (document.documentElement.classList.contains('abcd-phone')) { return; }
    var map = window.ABCD.leaflet().getContainer();
    var bottom = map.getBoundingClientRect().bottom;
    var below = map.querySelector('.leaflet-bottom.leaflet-left');  // zoom buttons and scale bar stay free
    if (below && below.offsetHeight) { bottom = below.getBoundingClientRect().top; }
    var room = bottom - UI.scroll.getBoundingClientRect().top - (UI.more.hidden ? 0 : UI.more.offsetHeight + 6) - 16;
    UI.scroll.style.maxHeight = Math.max(160, Math.floor(room)) + 'px';
  }
  function sortBy(key) {
    if (S.key === key) { S.dir = -S.dir; } else { S.key = key; S.dir = 1; }
    S.limit = STEP;
    UI.scroll.scrollTop = 0;
    sortRows(S.rows);
    render();
  }
  function onRowClick(e) {
    var tr = e.target.closest && e.target.closest('tr[data-i]');
    if (!tr || !UI.body.contains(tr)) { return; }
    if (document.documentElement.classList.contains('abcd-phone')) {
      // the phone's sheet would cover the popup: fold it, the head button keeps the focus
      window.ABCD.panel('list', false);
      UI.head.focus();
    }
    window.ABCD.openAsset(Number(tr.getAttribute('data-i')));
  }
  function showMore() {
    var first = Math.min(S.rows.length, S.limit);
    S.limit += STEP;
    render();
    if (S.rows[first]) { var b = buttonOf(S.rows[first].i); if (b) { b.focus(); } }
  }

  // ---------------------------------------------------------------- CSV export
  function csvCell(v) {
    if (typeof v === 'number') { return String(v).replace('.', ','); }  // decimal comma, as the other CSV files
    var s = empty(v) ? '' : String(v);
    if (MARK_CSV.test(s)) { s = "'" + s; }
    if (/[;"\r\n]/.test(s)) { s = '"' + s.replace(/"/g, '""') + '"'; }
    return s;
  }
  // The columns shown plus lat/lon, for every row in view (not only those drawn); team: first column let_op.
  function csvText(rows) {
    var mark = data().meta.let_op;
    var head = (mark ? ['let_op'] : []).concat(COLS.map(function (c) { return c.csv; }), ['lat', 'lon']);
    var lines = [head.map(csvCell).join(';')];
    rows.forEach(function (r) {
      var cells = (mark ? [mark] : []).concat(COLS.map(function (c) { return c.value ? c.value(r) : c.text(r); }),
                                              [r.a.lat, r.a.lon]);
      lines.push(cells.map(csvCell).join(';'));
    });
    return lines.join('\r\n') + '\r\n';
  }
  function exportCsv() {
    var rows = refresh();
    if (isOpen()) { render(); }
    var blob = new Blob(['\ufeff' + csvText(rows)], { type: 'text/csv;charset=utf-8' });
    var url = URL.createObjectURL(blob);
    var a = el('a');
    a.href = url;
    a.download = (data().meta.let_op ? 'TEAM-niet-delen-' : '') + 'plekken-in-beeld.csv';
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    UI.status.textContent = 'CSV gemaakt: ' + fmtInt(rows.length) + (rows.length === 1 ? ' regel' : ' regels');
  }

  // ---------------------------------------------------------------- print page
  // On paper the list of the places on the printed map follows the map, on its own page.
  function printPage() {
    var meta = data().meta;
    var rows = refresh();
    var old = document.getElementById('abcd-print-list');
    if (old) { old.parentNode.removeChild(old); }
    var sec = el('section', 'abcd-print-list');
    sec.id = 'abcd-print-list';
    sec.setAttribute('aria-hidden', 'true');  // a copy of the list, for paper only
    var marks = [meta.let_op, meta.fictief ? 'FICTIEF' : ''].filter(function (x) { return x; });
    if (marks.length) { sec.appendChild(el('div', 'abcd-print-mark', marks.join(' · '))); }
    sec.appendChild(el('h2', null, meta.title || 'ABCD-kaart'));
    var line = [meta.gebied, meta.datum ? 'kaart gemaakt op ' + meta.datum : '', meta.modus_label];
    var n = Math.min(rows.length, PRINT_MAX);
    line.push(rows.length > n ? 'de eerste ' + fmtInt(n) + ' van ' + fmtInt(rows.length) + ' op de kaart'
      : fmtInt(rows.length) + ' op de kaart');
    sec.appendChild(el('p', 'abcd-sub', line.filter(function (x) { return !empty(x); }).join(' · ')));
    var table = el('table', 'abcd-list-table');
    table.appendChild(el('caption', null, 'Plekken en mensen op de kaart hierboven (na filters), ' + sortName()));
    var hr = el('tr');
    COLS.forEach(function (c) { var th = el('th', null, c.label); th.scope = 'col'; hr.appendChild(th); });
    table.appendChild(el('thead')).appendChild(hr);
    var body = el('tbody');
    rows.slice(0, n).forEach(function (r) {
      var tr = el('tr');
      COLS.forEach(function (c, k) { tr.appendChild(el(k ? 'td' : 'th', c.numeric ? 'abcd-list-num' : null, c.text(r))); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    sec.appendChild(table);
    document.body.appendChild(sec);
  }
  function sortName() {
    var col = COLS.filter(function (c) { return c.key === S.key; })[0] || COLS[0];
    return 'gesorteerd op ' + col.label.toLowerCase() + (S.dir > 0 ? '' : ' (aflopend)');
  }

  // ---------------------------------------------------------------- the panel
  function makePanel() {
    var box = el('div', 'leaflet-control abcd-box abcd-list');
    box.setAttribute('role', 'region');
    box.setAttribute('aria-label', 'Lijst van de plekken en mensen in beeld');
    var head = el('button', 'abcd-panel-head', 'Lijst');
    box.appendChild(head);
    UI.head = head;
    var body = el('div');
    var tools = el('div', 'abcd-list-tools');
    var csv = el('button', null, 'CSV');
    csv.type = 'button'; csv.id = 'abcd-list-csv';
    csv.title = 'De lijst (alles in beeld, na filters) als CSV-bestand voor Excel';
    csv.addEventListener('click', exportCsv);
    var print = el('button', null, 'Afdrukken');
    print.type = 'button'; print.id = 'abcd-list-print';
    print.title = 'De kaart afdrukken, met de lijst op de volgende pagina';
    print.addEventListener('click', function () { window.print(); });
    tools.appendChild(csv); tools.appendChild(print);
    UI.status = el('div', 'abcd-status abcd-list-status');
    UI.status.setAttribute('role', 'status');
    tools.appendChild(UI.status);
    body.appendChild(tools);
    UI.scroll = el('div', 'abcd-list-scroll');
    UI.table = el('table', 'abcd-list-table');
    UI.table.id = 'abcd-list-table';
    UI.table.appendChild(el('caption', null, 'Plekken en mensen in beeld (na filters). Afstand: tot het midden van de kaart.'));
    var hr = el('tr');
    UI.heads = COLS.map(function (c) {
      var th = el('th');
      th.scope = 'col';
      th.setAttribute('data-key', c.key);
      var b = el('button', 'abcd-list-sort', c.label);
      b.type = 'button';
      if (c.title) { b.title = c.title; }
      b.addEventListener('click', function () { sortBy(c.key); });
      th.appendChild(b);
      hr.appendChild(th);
      return th;
    });
    UI.table.appendChild(el('thead')).appendChild(hr);
    UI.body = el('tbody');
    UI.body.addEventListener('click', onRowClick);
    UI.table.appendChild(UI.body);
    UI.scroll.appendChild(UI.table);
    body.appendChild(UI.scroll);
    UI.more = el('button', 'abcd-list-more', 'Toon meer');
    UI.more.type = 'button';
    UI.more.hidden = true;
    UI.more.addEventListener('click', showMore);
    body.appendChild(UI.more);
    box.appendChild(body);
    UI.box = box;
    window.ABCD.addPanel('list', box, head, body);
    // opened (by its button, by a script or by the layout): draw what is in view now
    new MutationObserver(function () {
      if (isOpen()) { if (S.dirty) { update(); } fitHeight(); }
    }).observe(box, { attributes: true, attributeFilter: ['class'] });
  }

  // A skip link beside map.js's own ("Naar zoeken op de kaart"): Tab, Enter, and the keyboard is in the list
  // instead of behind every marker of the map.
  function skipLink() {
    var skip = el('a', 'abcd-skip', 'Naar de lijst van plekken in beeld');
    skip.href = '#abcd-list-table';
    skip.id = 'abcd-skip-list';
    skip.addEventListener('click', function (e) {
      e.preventDefault();
      window.ABCD.panel('list', true);
      update();
      var first = UI.body.querySelector('button');
      (first || UI.head).focus();
    });
    var before = document.querySelector('.abcd-skip');
    document.body.insertBefore(skip, before ? before.nextSibling : document.body.firstChild);
  }

  function start() {
    if (!window.ABCD || !window.ABCD.addPanel || !data().assets.n) { return; }  // no places: no list
    COLS = columns();
    makePanel();
    skipLink();
    var map = window.ABCD.leaflet();
    map.on('moveend zoomend', schedule);
    map.on('resize', fitHeight);
    document.addEventListener('abcd:filters', schedule);
    document.addEventListener('abcd:popup', function (e) {
      S.current = e.detail ? e.detail.i : null;
      if (!isOpen()) { return; }
      if (S.dirty) { update(); }
      else if (!rowOf(S.current)) { render(); }
      highlight(true);
    });
    document.addEventListener('abcd:popupclose', function (e) {
      if (e.detail && e.detail.i !== S.current) { return; }
      S.current = null;
      if (UI.body) { highlight(false); }
    });
    // after map.js's own print handlers (they fit the map to the paper first)
    setTimeout(function () {
      window.addEventListener('beforeprint', printPage);
      var printing = window.matchMedia ? window.matchMedia('print') : null;
      if (printing && printing.addEventListener) {
        printing.addEventListener('change', function (e) { if (e.matches) { printPage(); } });
      }
    }, 0);
  }
  document.addEventListener('abcd:ready', start);

  window.ABCD_LIST = {
    rows: function () { return refresh().map(function (r) { return r.i; }); },
    csv: function () { return csvText(refresh()); },
    sortBy: sortBy, update: update
  };
}());
