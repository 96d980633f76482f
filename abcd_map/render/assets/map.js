/* abcd-map: the interactive parts of the map (metric switch, legend, popups,
 * tooltips, search, filters, title box). No dependencies besides Leaflet and
 * supercluster (vendored: assets/vendor).
 *
 * Safety rule: every text that came from an input file is put on screen with
 * textContent or as an attribute value set through the DOM, never as HTML.
 * The data arrive as JSON in the element #abcd-data (type application/json).
 */
(function () {
  'use strict';

  var D = null;          // the data (JSON from #abcd-data)
  var MAP = null;        // the Leaflet map
  var BUURT = [];        // buurt rows as objects, by index
  var WIJK = {};         // wijk rows as objects, by wijkcode
  var CATEGORY = {};     // categorie code -> {label, colour, icon}
  // dag: weekday 0-6 or ''; dagdeel: index in D.day_parts or ''; onbekend: also show unknown hours
  var state = { metric: null, doelgroep: '', inloop: false, dag: '', dagdeel: '', onbekend: true };
  var buurtLayer = null;
  var legendBody = null;
  var filterStatus = null;
  var filterKey = null;  // legend line for grey markers (unknown opening hours)
  var legendBox = null;
  // legend parts of overlays that are off by default: shown only while their layer is on
  var overlayLegend = { stages: { box: null, on: false }, relations: { box: null, on: false } };
  var DAYS = [];         // weekday names, Monday first (from abcd_map.hours)
  var PANELS = {};       // collapsible panels by name: {box, button, body, name}
  var SHEET = null;      // phone: the bottom sheet that holds layers, legend and filters
  var PHONE = window.matchMedia ? window.matchMedia('(max-width: 699px)') : { matches: false };
  var SEARCH = [];       // search index: wijken, buurten, places (see buildSearchIndex)
  var presenting = false;
  var laidOut = false;   // layout() ran once
  var beforePresent = null;  // panel states to restore after presentation mode
  var openPopup = null;      // the popup that is open, if any
  var popupOpener = null;    // what had focus when it opened (focus goes back there when it closes)

  // ---------------------------------------------------------------- helpers
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function rowsToObjects(table) {
    var cols = table.cols;
    return table.rows.map(function (r) {
      var o = {};
      for (var i = 0; i < cols.length; i++) { o[cols[i]] = r[i]; }
      return o;
    });
  }
  function empty(v) { return v === null || v === undefined || v === ''; }
  function fmtNumber(v) {
    if (empty(v)) { return ''; }
    return Number(v).toLocaleString('nl-NL', { maximumFractionDigits: 0 });
  }
  function fmtPercent(v) {
    if (empty(v)) { return 'geen gegevens'; }
    return Math.round(Number(v)) + '%';
  }
  // A metric's value as text: a share in %, or a distance difference in km ('-0,25 km').
  function fmtValue(v, m) {
    if (!m || m.unit !== 'km') { return fmtPercent(v); }
    if (empty(v)) { return 'geen gegevens'; }
    var n = Number(v);
    return (n > 0 ? '+' : '') + n.toLocaleString('nl-NL', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + ' km';
  }
  function normalise(s) {
    return String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  }
  function metricInfo(key) {
    for (var i = 0; i < D.metrics.length; i++) { if (D.metrics[i].key === key) { return D.metrics[i]; } }
    return null;
  }
  function classOf(value, m) {
    var cls = (m && m.classes) || D.classes;
    for (var i = 0; i < cls.length; i++) {
      if (value <= cls[i].max || i === cls.length - 1) { return cls[i]; }
    }
    return cls[cls.length - 1];
  }
  // A definition list row: <dt>label</dt><dd>value</dd>, text only.
  function addRow(dl, label, value) {
    if (empty(value)) { return null; }
    dl.appendChild(el('dt', null, label));
    var dd = el('dd', null, value);
    dl.appendChild(dd);
    return dd;
  }

  // ---------------------------------------------------------------- start
  function start(map) {
    if (window.performance && performance.mark) { performance.mark('abcd-start'); }
    D = JSON.parse(document.getElementById('abcd-data').textContent);
    window.ABCD_DATA = D;
    MAP = map;
    BUURT = rowsToObjects(D.buurten.table);
    rowsToObjects(D.wijken.table).forEach(function (w) { WIJK[w.wijkcode] = w; });
    D.categories.forEach(function (c) { CATEGORY[c.code] = c; });
    DAYS = D.days;
    state.metric = D.metrics.length ? D.metrics[0].key : '';

    map.createPane('abcdGaps').style.zIndex = 420;
    var wp = map.createPane('abcdWijk');
    wp.style.zIndex = 450;
    wp.style.pointerEvents = 'none';
    var lp = map.createPane('abcdLabels');
    lp.style.zIndex = 630;
    lp.style.pointerEvents = 'none';
    // under the markers (600): a stage is a wide ring around its place's pin, so a click on the pin
    // opens the place and a click on the ring opens its stage
    map.createPane('abcdStages').style.zIndex = 580;
    map.createPane('abcdLines').style.zIndex = 560;
    initAssets(map);
    map.attributionControl.setPrefix('Leaflet');
    // metric only (folium's scale bar adds feet and miles)
    L.control.scale({ imperial: false, position: 'bottomleft', maxWidth: 140 }).addTo(map);
    if (PHONE.matches) {
      // popups open clear of the title and search on top and the folded panels below
      L.Popup.prototype.options.autoPanPaddingTopLeft = L.point(5, 110);
      L.Popup.prototype.options.autoPanPaddingBottomRight = L.point(5, 60);
    }
    map.getContainer().setAttribute('role', 'region');
    map.getContainer().setAttribute('aria-label', 'Kaart: ' + D.meta.title);
    accessibleOverlays(map);
    var skip = el('a', 'abcd-skip', 'Naar zoeken op de kaart');
    skip.href = '#abcd-search';
    skip.addEventListener('click', function (e) {
      e.preventDefault();
      var s = document.getElementById('abcd-search');
      if (s) { s.focus(); }
    });
    document.body.insertBefore(skip, document.body.firstChild);
    document.addEventListener('keydown', onKey);

    // hatch pattern for "geen gegevens", referenced as fill="url(#abcd-hatch)"
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', '0'); svg.setAttribute('height', '0');
    svg.setAttribute('aria-hidden', 'true');
    svg.style.position = 'absolute';
    var defs = document.createElementNS(ns, 'defs');
    var pat = document.createElementNS(ns, 'pattern');
    pat.setAttribute('id', 'abcd-hatch'); pat.setAttribute('patternUnits', 'userSpaceOnUse');
    pat.setAttribute('width', '8'); pat.setAttribute('height', '8');
    pat.setAttribute('patternTransform', 'rotate(45)');
    var rect = document.createElementNS(ns, 'rect');
    rect.setAttribute('width', '8'); rect.setAttribute('height', '8'); rect.setAttribute('fill', D.nodata_colour);
    var line = document.createElementNS(ns, 'line');
    line.setAttribute('x1', '0'); line.setAttribute('y1', '0'); line.setAttribute('x2', '0'); line.setAttribute('y2', '8');
    line.setAttribute('stroke', '#8c8c8c'); line.setAttribute('stroke-width', '3');
    pat.appendChild(rect); pat.appendChild(line); defs.appendChild(pat); svg.appendChild(defs);
    document.body.appendChild(svg);

    if (D.bounds) {
      // keep the areas clear of the title box (left) and the layer list / legend (right)
      var wide = map.getSize().x > 1000;
      // phone: clear of the title and search on top and the folded panels below
      var top = PHONE.matches ? 110 : 10, bottom = PHONE.matches ? 60 : 10;
      map.fitBounds(D.bounds, { paddingTopLeft: [wide ? 340 : 10, top], paddingBottomRight: [wide ? 340 : 10, bottom], animate: false });
    }
  }

  // ---------------------------------------------------------------- buurten
  // While the day/part-of-day filter is set, the buurten show the coverage by the welcoming
  // places open then (D.open_coverage, computed when the map was built), not the chosen metric.
  function openColoursOn() { return !!(D.open_coverage && state.metric && timeFilterOn()); }
  function openWhen() {
    var part = state.dagdeel === '' ? '' : D.day_parts[Number(state.dagdeel)].code;
    if (state.dag === '') { return 'op een ' + part + ' (welke dag ook)'; }
    return 'op ' + DAYS[Number(state.dag)] + part;   // one word: "zondagmiddag"
  }
  // The metric the buurten are coloured by: the chosen one, or the open-coverage one of the time filter.
  function shownMetric() {
    if (!openColoursOn()) { return metricInfo(state.metric); }
    var text = 'Ontmoetingsplekken open ' + openWhen() + ' binnen ' + D.open_coverage.afstand;
    return { key: '_open', label: text, question: text, classes: D.classes,
             short: 'binnen loopafstand van een plek die dan open is' };
  }
  function shownValue(b) {
    if (!openColoursOn()) { return b[state.metric]; }
    var days = D.open_coverage.days[state.dag === '' ? '*' : String(state.dag)];
    var v = days[state.dagdeel === '' ? 0 : Number(state.dagdeel) + 1][b.buurtcode];
    return v === undefined ? null : v;
  }
  function buurtStyle(feature) {
    var b = BUURT[feature.properties.i];
    var base = { color: '#4d4d4d', weight: 1, opacity: 0.8, fillOpacity: D.fill_opacity || 0.62 };
    if (!state.metric) { base.fillColor = '#ffffff'; base.fillOpacity = 0.15; return base; }
    var v = shownValue(b);
    if (b.gegevens === false || empty(v)) { base.fillColor = 'url(#abcd-hatch)'; base.fillOpacity = 0.7; return base; }
    var cls = classOf(Number(v), shownMetric());
    base.fillColor = cls.colour;
    // the lowest class also gets a dark outline: told apart from its neighbours by more than colour
    if (cls.outline) { base.color = cls.outline; base.weight = 2.5; base.opacity = 1; }
    return base;
  }
  function buurtTooltip(feature) {
    var b = BUURT[feature.properties.i];
    var box = el('div', 'abcd-tip');
    box.appendChild(el('strong', null, b.buurtnaam || b.buurtcode));
    if (state.metric) {
      var m = shownMetric();
      var v = shownValue(b);
      var txt = (b.gegevens === false || empty(v)) ? 'geen gegevens' : fmtValue(v, m) + ' ' + m.short;
      box.appendChild(el('div', null, txt));
    }
    return box;
  }
  function buurtPopup(feature) {
    var b = BUURT[feature.properties.i];
    var box = el('div', 'abcd-popup');
    box.appendChild(el('h3', null, b.buurtnaam || b.buurtcode));
    var w = WIJK[b.wijkcode];
    var sub = [];
    if (!empty(b.buurtcode)) { sub.push('Buurt ' + b.buurtcode); }
    var wn = b.wijknaam || (w && w.wijknaam);
    if (!empty(wn)) { sub.push('wijk ' + wn); }
    box.appendChild(el('div', 'abcd-sub', sub.join(' · ')));
    var dl = el('dl');
    addRow(dl, 'Inwoners', empty(b.inwoners) ? 'onbekend' : fmtNumber(b.inwoners));
    if (openColoursOn()) { addRow(dl, shownMetric().label, fmtPercent(shownValue(b))); }
    if (b.gegevens === false) { addRow(dl, 'Gegevens', 'geen OSM-gegevens voor deze buurt'); }
    D.metrics.forEach(function (m) {
      addRow(dl, m.label, (b.gegevens === false && empty(b[m.key])) ? 'geen gegevens' : fmtValue(b[m.key], m));
    });
    D.count_columns.forEach(function (c) {
      if (!empty(b[c.key])) { addRow(dl, c.label, fmtNumber(b[c.key])); }
    });
    if (!empty(b.personen)) { addRow(dl, 'Personen (talenten)', b.personen); }
    box.appendChild(dl);
    if (w) {
      var wl = el('dl', 'abcd-wijk');
      addRow(wl, 'Wijk ' + (w.wijknaam || w.wijkcode), empty(w.inwoners) ? '' : fmtNumber(w.inwoners) + ' inwoners');
      if (state.metric && !empty(w[state.metric])) {
        addRow(wl, metricInfo(state.metric).label + ' (wijk)', fmtValue(w[state.metric], metricInfo(state.metric)));
      }
      if (wl.childNodes.length) { box.appendChild(wl); }
    }
    return box;
  }
  function makeBuurtLayer() {
    // One tooltip, popup and hover handler for the whole layer (cheaper than one per buurt).
    buurtLayer = L.geoJSON(D.buurten.geo, {
      style: buurtStyle,
      onEachFeature: function (f, layer) { f.properties._layer = layer; }
    });
    buurtLayer.bindTooltip(function (layer) { return buurtTooltip(layer.feature); }, { sticky: true, className: 'abcd-tooltip' });
    buurtLayer.bindPopup(function (layer) { return buurtPopup(layer.feature); }, { maxWidth: 380 });
    buurtLayer.on('mouseover', function (e) { e.layer.setStyle({ weight: 3, color: '#111111' }); });
    buurtLayer.on('mouseout', function (e) { e.layer.setStyle(buurtStyle(e.layer.feature)); });
    return buurtLayer;
  }
  function setMetric(key) {
    state.metric = key;
    recolour();
  }
  function recolour() {
    if (buurtLayer) { buurtLayer.setStyle(buurtStyle); }
    renderLegend();
    fitControls();
  }

  // ---------------------------------------------------------------- wijken
  function makeWijkLayer() {
    var lines = L.geoJSON(D.wijken.geo, {
      pane: 'abcdWijk', interactive: false,
      style: { color: '#1a1a1a', weight: 2.6, opacity: 0.9, fill: false }
    });
    var group = L.featureGroup([lines]);
    // Labels are made only when first needed (zoomed in far enough): faster first draw.
    var labels = null;
    function syncLabels() {
      var want = MAP.getZoom() >= D.wijk_label_zoom && MAP.hasLayer(group);
      if (want && !labels) {
        labels = L.layerGroup();
        D.wijken.geo.features.forEach(function (f) {
          var w = WIJK[f.properties.wijkcode];
          if (!w || !f.properties.label) { return; }
          var lab = el('span', null, w.wijknaam || w.wijkcode);
          var icon = L.divIcon({ className: 'abcd-wijklabel', html: lab, iconSize: null });
          labels.addLayer(L.marker(f.properties.label, { icon: icon, interactive: false, keyboard: false, pane: 'abcdLabels' }));
        });
      }
      if (labels) {
        if (want && !group.hasLayer(labels)) { group.addLayer(labels); }
        if (!want && group.hasLayer(labels)) { group.removeLayer(labels); }
      }
    }
    group.on('add', function () { MAP.on('zoomend', syncLabels); syncLabels(); });
    group.on('remove', function () { MAP.off('zoomend', syncLabels); });
    return group;
  }

  // ---------------------------------------------------------------- assets
  // The assets arrive as compact columns (abcd_map.render._data.encode_column); a row object is made
  // only when something needs it (popup, tooltip, list, search hit): asset(i).
  // All switched-on layers share ONE clustering index (supercluster) over the points that pass the
  // filters, rebuilt only when a filter or layer switch changes. Drawn is the index's answer for the
  // view: clusters as icons showing their mix of categories, single points as focusable markers, or,
  // with more than CANVAS_FROM points, as dots on one canvas (clicked and hovered through dotAt).
  var CANVAS_FROM = 2000;
  var CLUSTER_MAX_ZOOM = 16;   // from zoom 17 on every point stands alone
  var N = 0;                   // number of assets
  var COLS = {};               // compact columns by name (D.assets.cols)
  var DECODED = {};            // plain columns, decoded when first used
  var ROWS = [];               // row objects by asset index, made when first needed
  var CAT_LIST = [];           // category infos by index: D.categories, then the fallback
  var CAT_OF = null;           // category index of each asset
  var GROUP_OF = [];           // layer group of each asset ('cat:<code>', 'klein', 'overig')
  var GROUPS = {};             // layer group -> {on, layer}
  var PASS = null;             // filter result of each asset: 0 hidden, 1 shown, 2 shown grey
  var INDEX = null;            // the clustering index
  var INDEXED = 0;             // points in it
  var markerLayer = null;      // clusters and DOM markers drawn now
  var dotLayer = null;         // the canvas of the single points, when there are many
  var DRAWN = {};              // key -> marker drawn now ('c'+cluster id, 'p'+i)
  var hoverDot = -1;
  var dotTip = null;
  var assetsReady = false;     // the first applyFilters ran

  function decodeColumn(c, n) {
    if (Array.isArray(c)) { return c; }
    var v = c.v;
    if (c.k) { var k = c.k; v = v.map(function (x) { return x < 0 ? null : k[x]; }); }
    if (!c.at) { return v; }
    var out = new Array(n).fill(null);
    for (var j = 0; j < c.at.length; j++) { out[c.at[j]] = v[j]; }
    return out;
  }
  function col(name) {
    if (!(name in DECODED)) {
      if ((name === 'lat' || name === 'lon') && COLS.latlon) {
        var j = name === 'lat' ? 0 : 1;
        DECODED[name] = COLS.latlon.map(function (p) { return p[j]; });
      } else { DECODED[name] = (name in COLS) ? decodeColumn(COLS[name], N) : null; }
    }
    return DECODED[name];
  }
  var ROW_KEYS = null;  // the keys of a row object: the columns, with latlon as lat and lon
  function rowKeys() {
    if (!ROW_KEYS) {
      ROW_KEYS = [];
      Object.keys(COLS).forEach(function (k) { if (k === 'latlon') { ROW_KEYS.push('lat', 'lon'); } else { ROW_KEYS.push(k); } });
    }
    return ROW_KEYS;
  }
  function cell(name, i) { var c = col(name); return c ? c[i] : null; }
  function asset(i) {
    if (!ROWS[i]) {
      var o = { _i: i };
      rowKeys().forEach(function (k) { o[k] = col(k)[i]; });
      ROWS[i] = o;
    }
    return ROWS[i];
  }
  function initAssets(map) {
    N = D.assets.n; COLS = D.assets.cols;
    CAT_LIST = D.categories.concat([D.category_fallback]);
    var at = {};
    D.categories.forEach(function (c, k) { at[c.code] = k; });
    var cats = col('categorie') || [];
    GROUP_OF = col('_group') || [];
    CAT_OF = new Uint16Array(N); PASS = new Uint8Array(N);
    for (var i = 0; i < N; i++) { CAT_OF[i] = cats[i] in at ? at[cats[i]] : D.categories.length; }
    map.createPane('abcdDots').style.zIndex = 590;
    map.getPane('abcdDots').style.pointerEvents = 'none';
    dotLayer = new DotCanvas().addTo(map);
    markerLayer = L.featureGroup().addTo(map);
    dotTip = L.tooltip({ className: 'abcd-tooltip', direction: 'right', offset: [8, 0] });
    map.on('moveend', drawAssets);
    // a click on a dot: caught before Leaflet hands it to the buurt under it (which would stop it)
    map.getContainer().addEventListener('click', onDotClick, true);
    map.on('mousemove', onDotHover);
    map.on('popupopen popupclose', function (e) {
      if (e.popup._abcdI === undefined) { return; }
      var name = e.type === 'popupopen' ? 'abcd:popup' : 'abcd:popupclose';
      document.dispatchEvent(new CustomEvent(name, { detail: { i: e.popup._abcdI } }));
    });
  }
  // A layer switch of the layer list: on or off, its points join or leave the one index.
  var GroupLayer = L.Layer.extend({
    initialize: function (group) { this.group = group; },
    onAdd: function () { switchGroup(this.group, true); },
    onRemove: function () { switchGroup(this.group, false); }
  });
  function assetLayer(key) {
    var layer = new GroupLayer(key.group);
    GROUPS[key.group] = { on: false, layer: layer };
    return layer;
  }
  function switchGroup(group, on) {
    GROUPS[group].on = on;
    if (assetsReady) { applyFilters(); }
  }
  function groupOn(g) { var x = GROUPS[g]; return !!x && x.on; }

  var iconCache = {};
  function assetIcon(cat, unknown) {
    var key = cat + (unknown ? '|?' : '');
    if (!iconCache[key]) {
      var c = CATEGORY[cat] || D.category_fallback;
      iconCache[key] = L.divIcon({
        className: 'abcd-marker' + (unknown ? ' abcd-marker-onbekend' : ''), html: c.marker_html,
        iconSize: [30, 30], iconAnchor: [15, 15], popupAnchor: [0, -14], tooltipAnchor: [14, 0]
      });
    }
    return iconCache[key];
  }
  // A cluster shows what is inside: a pie of its categories and, with a time filter on, the share of
  // places with unknown opening hours in grey (all grey when none inside is known to be open).
  var UNKNOWN_GREY = '#757575';
  // What a cluster holds, summed while indexing: three numbers (a, b, c) of three 17-bit counts
  // each; slots 0-7 the categories (CAT_LIST index, from 7 on together), slot 8 the grey places.
  // Exact below 131,072 places of one slot in a cluster.
  var DIGIT = 131072;
  function mixProps(i) {
    var slot = PASS[i] === 2 ? 8 : Math.min(CAT_OF[i], 7), o = { i: i, a: 0, b: 0, c: 0 };
    var v = Math.pow(DIGIT, slot % 3);
    if (slot < 3) { o.a = v; } else if (slot < 6) { o.b = v; } else { o.c = v; }
    return o;
  }
  function addMix(acc, p) { acc.a += p.a; acc.b += p.b; acc.c += p.c; }
  // {n, g: grey places, c: count per category index} of a cluster's properties
  function clusterMix(p) {
    var m = { n: p.point_count, g: 0, c: CAT_LIST.map(function () { return 0; }) }, packed = [p.a, p.b, p.c];
    for (var slot = 0; slot < 9; slot++) {
      var count = Math.floor(packed[Math.floor(slot / 3)] / Math.pow(DIGIT, slot % 3)) % DIGIT;
      if (slot === 8) { m.g = count; } else if (count) { m.c[slot === 7 ? CAT_LIST.length - 1 : slot] += count; }
    }
    return m;
  }
  function clusterParts(m) {
    var parts = [];
    CAT_LIST.forEach(function (c, k) { if (m.c[k]) { parts.push({ colour: c.colour, label: c.label, n: m.c[k] }); } });
    if (m.g) { parts.push({ colour: UNKNOWN_GREY, label: 'met onbekende openingstijden (grijs)', n: m.g }); }
    return parts;
  }
  function clusterText(m) {
    var parts = clusterParts(m).map(function (x) { return x.n + ' ' + x.label.toLowerCase(); });
    var list = parts.length > 1 ? parts.slice(0, -1).join(', ') + ' en ' + parts[parts.length - 1] : parts.join('');
    return m.n + ' plekken: ' + list;
  }
  function clusterIcon(m) {
    var n = m.n, grey = m.g, parts = clusterParts(m);
    var d = el('div', 'abcd-cluster' + (grey === n ? ' abcd-cluster-onbekend' : (grey ? ' abcd-cluster-mix' : '')) +
      (parts.length - (grey ? 1 : 0) > 1 ? ' abcd-cluster-cats' : ''));
    if (parts.length === 1) { d.style.background = parts[0].colour; }
    else {
      var stops = [], from = 0;
      parts.forEach(function (x) {
        var to = from + 100 * x.n / n;
        stops.push(x.colour + ' ' + from.toFixed(1) + '% ' + to.toFixed(1) + '%');
        from = to;
      });
      d.style.background = 'conic-gradient(' + stops.join(', ') + ')';
    }
    d.title = clusterText(m);
    d.appendChild(el('span', null, n));
    var size = n < 10 ? 34 : (n < 100 ? 40 : (n < 1000 ? 46 : 54));
    return L.divIcon({ html: d, className: 'abcd-cluster-icon', iconSize: [size, size] });
  }
  function clusterMarker(f) {
    var c = f.geometry.coordinates, mix = clusterMix(f.properties);
    var m = L.marker([c[1], c[0]], { icon: clusterIcon(mix), keyboard: true });
    m._abcdCluster = f.properties.cluster_id;
    onActivate(m, function () {  // zoom in past the cluster
      var z = Math.min(INDEX.getClusterExpansionZoom(m._abcdCluster), CLUSTER_MAX_ZOOM + 1);
      var focused = m._icon && document.activeElement === m._icon;
      MAP.setView(m.getLatLng(), Math.max(z, MAP.getZoom() + 1));
      // the cluster is gone after the zoom: keyboard focus goes to the map, not lost to the page
      if (focused) { MAP.getContainer().focus({ preventScroll: true }); }
    });
    m.on('add', function () {
      if (m._icon) { m._icon.setAttribute('aria-label', clusterText(mix) + '. Inzoomen'); }
    });
    return m;
  }
  // A click on a marker, or Enter while it has the focus (Leaflet does that only for bound popups).
  function onActivate(m, fn) {
    m.on('click', fn);
    m.on('keypress', function (e) { if (e.originalEvent.keyCode === 13) { fn(); } });
  }
  function assetMarker(i) {
    var a = asset(i);
    var m = L.marker(shownAt(i), { icon: assetIcon(a.categorie, PASS[i] === 2), keyboard: true, riseOnHover: true });
    m._abcd = a; m._abcdI = i;
    m.on('add', markerName);
    onActivate(m, function () { openPopupAt(i); });
    m.bindTooltip(function () { return assetTooltip(a); }, { className: 'abcd-tooltip', direction: 'right' });
    return m;
  }
  // Single points when there are many: drawn as dots on one canvas (no Leaflet layer per point).
  // The canvas covers the map; it is drawn anew after every move and hidden while zooming.
  var DotCanvas = L.Layer.extend({
    initialize: function () { this.dots = []; this.x = new Float64Array(0); this.y = new Float64Array(0); },
    onAdd: function (map) {
      this.canvas = L.DomUtil.create('canvas', 'abcd-dots', map.getPane('abcdDots'));
      map.on('zoomstart', this.hide, this);
      map.on('viewreset resize', this.draw, this);
      this.draw();
    },
    onRemove: function (map) {
      L.DomUtil.remove(this.canvas);
      map.off('zoomstart', this.hide, this);
      map.off('viewreset resize', this.draw, this);
    },
    hide: function () { this.canvas.style.display = 'none'; },
    setDots: function (list) { this.dots = list; this.draw(); },
    draw: function () {
      var map = this._map;
      if (!map) { return; }
      var size = map.getSize(), ratio = window.devicePixelRatio || 1, cv = this.canvas;
      var origin = map.containerPointToLayerPoint([0, 0]);
      L.DomUtil.setPosition(cv, origin);
      cv.width = size.x * ratio; cv.height = size.y * ratio;
      cv.style.width = size.x + 'px'; cv.style.height = size.y + 'px';
      cv.style.display = this.dots.length ? '' : 'none';
      cv.setAttribute('data-n', String(this.dots.length));
      var ctx = cv.getContext('2d'), n = this.dots.length;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 1.5; ctx.strokeStyle = '#ffffff';
      this.x = new Float64Array(n); this.y = new Float64Array(n);
      for (var j = 0; j < n; j++) {
        var i = this.dots[j], p = map.latLngToLayerPoint(shownAt(i));
        this.x[j] = p.x; this.y[j] = p.y;
        ctx.beginPath();
        ctx.arc(p.x - origin.x, p.y - origin.y, 6, 0, 2 * Math.PI);
        ctx.fillStyle = PASS[i] === 2 ? UNKNOWN_GREY : CAT_LIST[CAT_OF[i]].colour;
        ctx.fill(); ctx.stroke();
      }
    },
    // the dot under a layer point (within 9 px), or -1
    at: function (lp) {
      var best = -1, bd = 81;
      for (var j = 0; j < this.dots.length; j++) {
        var d = (this.x[j] - lp.x) * (this.x[j] - lp.x) + (this.y[j] - lp.y) * (this.y[j] - lp.y);
        if (d < bd) { bd = d; best = this.dots[j]; }
      }
      return best;
    }
  });
  // One index over the points that pass the filters and whose layer is on; drawn anew.
  function rebuildIndex() {
    var lat = col('lat'), lon = col('lon'), pts = [];
    for (var i = 0; i < N; i++) {
      if (PASS[i] && groupOn(GROUP_OF[i])) {
        pts.push({ type: 'Feature', properties: mixProps(i), geometry: { type: 'Point', coordinates: [lon[i], lat[i]] } });
      }
    }
    INDEX = new Supercluster({ radius: 40, extent: 256, maxZoom: CLUSTER_MAX_ZOOM, minZoom: Math.floor(MAP.getMinZoom() || 0),
                               reduce: addMix });
    INDEX.load(pts);
    INDEXED = pts.length;
    markerLayer.clearLayers();
    DRAWN = {};
    drawAssets();
  }
  // Draw what the index has in (and around) the view; what was drawn already stays.
  function drawAssets() {
    if (!INDEX || !MAP) { return; }
    var b = MAP.getBounds().pad(0.25), z = Math.min(Math.floor(MAP.getZoom()), CLUSTER_MAX_ZOOM + 1);
    var items = INDEX.getClusters([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], z);
    var dots = INDEXED > CANVAS_FROM, next = {}, dotList = [];
    spread(items.filter(function (f) { return !f.properties.cluster; }).map(function (f) { return f.properties.i; }));
    items.forEach(function (f) {
      var p = f.properties, single = !p.cluster;
      if (single && dots) { dotList.push(p.i); return; }
      var key = single ? 'p' + p.i + (SPREAD[p.i] ? '@' + MAP.getZoom() : '') : 'c' + p.cluster_id;
      var layer = DRAWN[key];
      if (layer) { delete DRAWN[key]; }
      else { layer = single ? assetMarker(p.i) : clusterMarker(f); markerLayer.addLayer(layer); }
      next[key] = layer;
    });
    Object.keys(DRAWN).forEach(function (k) { markerLayer.removeLayer(DRAWN[k]); });
    DRAWN = next;
    dotLayer.setDots(dotList);
  }
  // Places at the very same spot (past clustering) are drawn on a small circle around it, so that
  // each can be seen and clicked: SPREAD[i] = [lat, lon] where asset i is drawn then.
  var SPREAD = {};
  function spread(singles) {
    SPREAD = {};
    var lat = col('lat'), lon = col('lon'), at = {};
    singles.forEach(function (i) { var k = lat[i] + ',' + lon[i]; (at[k] = at[k] || []).push(i); });
    Object.keys(at).forEach(function (k) {
      var g = at[k];
      if (g.length < 2) { return; }
      var c = MAP.latLngToLayerPoint([lat[g[0]], lon[g[0]]]), r = 12 + 3 * g.length;
      g.forEach(function (i, j) {
        var angle = 2 * Math.PI * j / g.length - Math.PI / 2;
        var ll = MAP.layerPointToLatLng([c.x + r * Math.cos(angle), c.y + r * Math.sin(angle)]);
        SPREAD[i] = [ll.lat, ll.lng];
      });
    });
  }
  function shownAt(i) { return SPREAD[i] || [col('lat')[i], col('lon')[i]]; }
  // The canvas dot under a point of the map container, or -1.
  function dotAt(pt) { return dotLayer.dots.length ? dotLayer.at(MAP.containerPointToLayerPoint(pt)) : -1; }
  function onDotClick(e) {
    var t = e.target;
    if (!dotLayer.dots.length || (t.closest && t.closest('.leaflet-marker-icon, .leaflet-popup, .leaflet-control'))) { return; }
    if (MAP.dragging && MAP.dragging.moved()) { return; }
    var i = dotAt(MAP.mouseEventToContainerPoint(e));
    if (i < 0) { return; }
    e.stopPropagation();
    openPopupAt(i);
  }
  var hoverPending = null;
  function onDotHover(e) {
    if (!dotLayer.dots.length && hoverDot < 0) { return; }
    if (hoverPending) { hoverPending = e; return; }
    hoverPending = e;
    requestAnimationFrame(function () {
      var i = dotAt(hoverPending.containerPoint);
      hoverPending = null;
      if (i === hoverDot) { return; }
      hoverDot = i;
      MAP.getContainer().classList.toggle('abcd-on-dot', i >= 0);
      if (i < 0) { MAP.closeTooltip(dotTip); return; }
      if (buurtLayer) { buurtLayer.closeTooltip(); }  // one tooltip at a time: the place's, not its buurt's
      dotTip.setLatLng(shownAt(i)).setContent(assetTooltip(asset(i)));
      MAP.openTooltip(dotTip);
    });
  }
  // The popup of asset i at its place (not bound to a marker: redrawing the markers keeps it open).
  function openPopupAt(i) {
    var a = asset(i);
    var pop = L.popup({ maxWidth: 380, offset: [0, INDEXED > CANVAS_FROM ? 0 : -7] })
      .setLatLng(shownAt(i)).setContent(assetPopup(a));
    pop._abcdI = i;
    MAP.openPopup(pop);
  }
  // Is asset i drawn on its own (not in a cluster) inside the view now?
  function shownAlone(i) {
    var alone = DRAWN['p' + i] || DRAWN['p' + i + '@' + MAP.getZoom()] || dotLayer.dots.indexOf(i) >= 0;
    return !!alone && MAP.getBounds().contains(shownAt(i));
  }
  // Open asset i's popup: where it is when it is on screen on its own (the list keeps its view),
  // else brought into view (past clustering, its layer switched on).
  function openAsset(i) {
    var g = GROUPS[GROUP_OF[i]];
    if (g && !g.on) { MAP.addLayer(g.layer); }
    var a = asset(i);
    if (!PASS[i] || !shownAlone(i)) {
      MAP.setView([a.lat, a.lon], Math.max(MAP.getZoom(), CLUSTER_MAX_ZOOM + 1), { animate: false });
    }
    // after the event that asked for it: a click that ends on the map would close the popup at once
    setTimeout(function () { openPopupAt(i); }, 0);
  }
  // The assets that pass the filters and whose layer is on (not limited to the view).
  function visibleAssets() {
    var out = [];
    for (var i = 0; i < N; i++) { if (PASS[i] && groupOn(GROUP_OF[i])) { out.push(asset(i)); } }
    return out;
  }
  function doelgroepText(codes) {
    if (empty(codes)) { return ''; }
    return String(codes).split(';').map(function (s) { s = s.trim(); return D.labels.doelgroep[s] || s; })
      .filter(function (s) { return s; }).join(', ');
  }
  function daysText(mask) {
    if (empty(mask)) { return ''; }
    var out = [];
    for (var i = 0; i < 7; i++) { if (mask & (1 << i)) { out.push(DAYS[i]); } }
    if (!out.length) { return 'geen vaste dag'; }
    return out.length === 7 ? 'elke dag' : out.join(', ');
  }
  function assetPopup(a) {
    var box = el('div', 'abcd-popup');
    var c = CATEGORY[a.categorie] || D.category_fallback;
    box.appendChild(el('h3', null, a.naam || 'Zonder naam'));
    var sub = el('div', 'abcd-sub');
    var chip = el('span', 'abcd-chip'); chip.style.background = c.colour;
    sub.appendChild(chip);
    var what = [c.label];
    if (!empty(a.label)) { what.push(a.label); }
    else if (!empty(a.soort)) { what.push(D.labels.soort[a.soort] || a.soort); }
    sub.appendChild(document.createTextNode(what.join(' · ')));
    box.appendChild(sub);
    if (!empty(a.omschrijving)) { box.appendChild(el('p', 'abcd-desc', a.omschrijving)); }
    var dl = el('dl');
    var where = [];
    if (!empty(a.adres)) { where.push(a.adres); }
    if (!empty(a.buurt)) { where.push('buurt ' + a.buurt); }
    addRow(dl, 'Waar', where.join(', '));
    addRow(dl, 'Wanneer', a.wanneer);
    addRow(dl, 'Openingstijden', a.openingstijden);
    if (!empty(a.dagen)) { addRow(dl, 'Open op', daysText(a.dagen)); }
    else if (a.soort !== 'persoon') {  // a person has no opening hours: no empty row
      addRow(dl, 'Open op', (empty(a.wanneer) && empty(a.openingstijden))
        ? 'openingstijden onbekend' : 'openingstijden onbekend (tekst niet te lezen)');
    }
    if (a.inloop === true) { addRow(dl, 'Inloop', 'ja, zonder afspraak'); }
    // OpenStreetMap has no tag for walk-in: 'nee of onbekend' on every OSM place said nothing
    else if (a.inloop === false && 'inloop' in a && a.herkomst === 'handmatig') { addRow(dl, 'Inloop', 'nee of onbekend'); }
    addRow(dl, 'Voor wie', doelgroepText(a.doelgroepen));
    addRow(dl, 'Door wie', a.beheerder);
    addRow(dl, 'Contactpersoon', a.contactpersoon);
    addRow(dl, 'Telefoon', a.telefoon);
    addRow(dl, 'E-mail', a.email);
    if (!empty(a.website)) {
      var dd = addRow(dl, 'Website', ' ');
      var url = String(a.website);
      if (/^https?:\/\//i.test(url)) {
        dd.textContent = '';
        var link = el('a', null, url);
        link.href = url; link.target = '_blank'; link.rel = 'noopener noreferrer';
        dd.appendChild(link);
      } else { dd.textContent = url; }
    }
    if (!empty(a.capaciteit)) { addRow(dl, 'Capaciteit', fmtNumber(a.capaciteit)); }
    if (!empty(a.fase) && D.meta.modus !== 'team') {
      // publiek knows only one stage, the one a place wants known (ontvangend)
      if (a.fase === 'ontvangend') { addRow(dl, 'Gastvrij', 'ja: ontvangt mensen met een psychische kwetsbaarheid (kwartiermaken)'); }
    } else if (!empty(a.fase)) {
      var fd = addRow(dl, 'Gastvrijheid', D.labels.fase[a.fase] || a.fase);
      var fc = D.fase_colours[a.fase];
      if (fd && fc) { var fchip = el('span', 'abcd-chip'); fchip.style.background = fc; fd.insertBefore(fchip, fd.firstChild); }
    }
    if (!empty(a.laatste_contact)) {
      addRow(dl, 'Laatste contact', a.laatste_contact + (a.contact_oud ? ' (lang geleden)' : ''));
    }
    var src = [];
    if (!empty(a.bron)) { src.push(a.bron); }
    if (!empty(a.herkomst) && a.herkomst !== 'handmatig') { src.push(a.herkomst + (empty(a.osm_id) ? '' : ' ' + a.osm_id)); }
    addRow(dl, 'Bron', src.join('; '));
    box.appendChild(dl);
    return box;
  }
  function assetTooltip(a) {
    var box = el('div', 'abcd-tip');
    box.appendChild(el('strong', null, a.naam || 'Zonder naam'));
    var c = CATEGORY[a.categorie];
    var t = !empty(a.label) ? a.label : (c ? c.label : '');
    if (t) { box.appendChild(el('div', null, t)); }
    return box;
  }
  // a screen reader's name for a marker (its icon is a focusable button without text)
  function markerName() {
    var a = this._abcd;
    if (this._icon && a) {
      var c = CATEGORY[a.categorie] || D.category_fallback;
      this._icon.setAttribute('aria-label', (a.naam || 'Zonder naam') + ' (' + c.label + ')');
    }
  }

  // ---------------------------------------------------------------- panels (fold open and shut)
  // A panel is a box with a head button (aria-expanded) and a body; folded, only the button shows.
  function panel(name, box, button, body, open) {
    body.id = 'abcd-body-' + name;
    body.classList.add('abcd-body');
    box.classList.add('abcd-panel');
    box.setAttribute('data-panel', name);
    button.type = 'button';
    button.classList.add('abcd-toggle');
    button.setAttribute('aria-controls', body.id);
    var p = { name: name, box: box, button: button, body: body };
    button.addEventListener('click', function () { setPanel(name, !isOpen(name)); });
    PANELS[name] = p;
    setPanel(name, open);
    return p;
  }
  function isOpen(name) { var p = PANELS[name]; return !!p && !p.box.classList.contains('abcd-collapsed'); }
  function setPanel(name, open) {
    var p = PANELS[name];
    if (!p) { return; }
    p.box.classList.toggle('abcd-collapsed', !open);
    p.button.setAttribute('aria-expanded', open ? 'true' : 'false');
    // in the phone's bottom sheet only one panel is open at a time
    if (open && SHEET && p.box.parentNode === SHEET) {
      Object.keys(PANELS).forEach(function (k) { if (k !== name && PANELS[k].box.parentNode === SHEET) { setPanel(k, false); } });
    }
    fitControls();
  }
  function panelStates() {
    var out = {};
    Object.keys(PANELS).forEach(function (k) { out[k] = isOpen(k); });
    return out;
  }
  function corner(pos) { return MAP._controlCorners[pos]; }
  // Phone (< 700 px wide): layers, legend and filters move into a bottom sheet, all folded,
  // so the map stays visible and the search box stays tappable. Wider: back to their corners.
  function layout() {
    if (!MAP) { return; }
    var phone = !!PHONE.matches;
    var root = document.documentElement;
    if (laidOut && phone === root.classList.contains('abcd-phone')) { return; }
    laidOut = true;
    root.classList.toggle('abcd-phone', phone);
    var layers = PANELS.layers && PANELS.layers.box, legend = PANELS.legend && PANELS.legend.box;
    var filters = PANELS.filters && PANELS.filters.box, list = PANELS.list && PANELS.list.box;
    if (phone) {
      if (!SHEET) {
        SHEET = el('div', 'abcd-sheet');
        SHEET.setAttribute('role', 'region');
        SHEET.setAttribute('aria-label', list ? 'Lagen, legenda, filters en lijst' : 'Lagen, legenda en filters');
        L.DomEvent.disableClickPropagation(SHEET); L.DomEvent.disableScrollPropagation(SHEET);
      }
      MAP.getContainer().querySelector('.leaflet-control-container').appendChild(SHEET);
      [layers, legend, filters, list].forEach(function (b) { if (b) { SHEET.appendChild(b); } });
      Object.keys(PANELS).forEach(function (k) { setPanel(k, false); });
    } else {
      if (filters) { corner('topleft').appendChild(filters); }
      if (list) { corner('topleft').appendChild(list); }
      if (layers) { corner('topright').appendChild(layers); }
      if (legend) { corner('bottomright').insertBefore(legend, corner('bottomright').firstChild); }
      if (SHEET && SHEET.parentNode) { SHEET.parentNode.removeChild(SHEET); }
      SHEET = null;
      // a small window (or a browser zoomed to 150%) starts with only the legend open
      var size = MAP.getSize(), roomy = size.x >= 1000 && size.y >= 600;
      Object.keys(PANELS).forEach(function (k) { setPanel(k, !presenting && (k === 'legend' || (roomy && k !== 'filters' && k !== 'list'))); });
      if (presenting) { setPanel('legend', true); }
    }
    fitControls();
  }
  // Presentation mode (button, key "p"): large type, panels folded, the legend open and small.
  function setPresent(on) {
    on = !!on;
    if (on === presenting) { return; }
    presenting = on;
    document.documentElement.classList.toggle('abcd-present', on);
    var btn = document.getElementById('abcd-present');
    if (btn) { btn.setAttribute('aria-pressed', on ? 'true' : 'false'); }
    if (on) {
      beforePresent = panelStates();
      Object.keys(PANELS).forEach(function (k) { setPanel(k, k === 'legend' && !SHEET); });
    } else if (beforePresent) {
      Object.keys(beforePresent).forEach(function (k) { setPanel(k, beforePresent[k]); });
    }
    fitControls();
    if (on && !SHEET) { fitBetweenPanels(); }
  }
  function onKey(e) {
    var t = e.target || {};
    var typing = /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName || '') || t.isContentEditable;
    if (e.key === 'Escape') {
      if (MAP && openPopup) { MAP.closePopup(); return; }
      var box = t.closest ? t.closest('.abcd-panel') : null, p = box && PANELS[box.getAttribute('data-panel')];
      if (p && SHEET && box.parentNode === SHEET && isOpen(p.name)) { setPanel(p.name, false); p.button.focus(); }
      return;
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (e.key === 'p' || e.key === 'P') { setPresent(!presenting); }
  }
  // Print: fit the areas to the paper (the page is laid out anew by the print stylesheet).
  function fitForPrint() {
    if (!MAP) { return; }
    MAP.invalidateSize({ animate: false });
    fitBetweenPanels();
  }
  function fitBetweenPanels() {
    if (!MAP || !D.bounds) { return; }
    // keep the areas clear of the title (left) and the layer list and legend (right)
    var c = MAP.getContainer().getBoundingClientRect();
    var title = document.querySelector('.abcd-title'), right = [PANELS.layers, PANELS.legend];
    var left = title ? title.getBoundingClientRect().right - c.left : 0;
    var rightEdge = c.width;
    right.forEach(function (p) { if (p && p.box.offsetParent) { rightEdge = Math.min(rightEdge, p.box.getBoundingClientRect().left - c.left); } });
    var padL = Math.min(left + 8, c.width * 0.35), padR = Math.min(c.width - rightEdge + 8, c.width * 0.35);
    var snap = MAP.options.zoomSnap;
    MAP.options.zoomSnap = 0.1;  // paper: as large as fits, not the next half zoom level down
    MAP.fitBounds(D.bounds, { paddingTopLeft: [padL, 8], paddingBottomRight: [padR, 8], animate: false });
    MAP.options.zoomSnap = snap;
  }
  function afterPrint() {
    if (!MAP) { return; }
    MAP.invalidateSize({ animate: false });
    fitControls();
  }

  // ---------------------------------------------------------------- filters
  function timeFilterOn() { return state.dag !== '' || state.dagdeel !== ''; }
  // Open at the chosen day and/or part of the day: 'open', 'dicht' or 'onbekend'.
  // Masks come from abcd_map.render.map.opening_masks (bit d: weekday d; bit 3d+p: part p on day d).
  function openState(i) {
    var dagen = cell('dagen', i);
    if (empty(dagen)) { return 'onbekend'; }
    var days = state.dag === '' ? [0, 1, 2, 3, 4, 5, 6] : [Number(state.dag)];
    var unknown = false;
    for (var j = 0; j < days.length; j++) {
      var bit, open, unk;
      if (state.dagdeel === '') { bit = 1 << days[j]; open = dagen; unk = cell('dagen_onbekend', i); }
      else { bit = 1 << (days[j] * D.day_parts.length + Number(state.dagdeel)); open = cell('dagdelen', i); unk = cell('dagdelen_onbekend', i); }
      if (open & bit) { return 'open'; }
      if (!empty(unk) && (unk & bit)) { unknown = true; }
    }
    return unknown ? 'onbekend' : 'dicht';
  }
  var targetGroups = {};  // doelgroepen text -> its codes
  function groupsOf(v) {
    var k = String(v || '');
    if (!(k in targetGroups)) {
      targetGroups[k] = k.split(';').map(function (s) { return s.trim(); }).filter(function (s) { return s; });
    }
    return targetGroups[k];
  }
  // 0: hidden, 1: shown, 2: shown grey (opening hours unknown while a time filter is on)
  function passes(i) {
    if (state.inloop && cell('inloop', i) !== true) { return 0; }
    if (state.doelgroep) {
      // as the lenses count them: no target group means for everyone
      var g = groupsOf(cell('doelgroepen', i));
      if (g.length && g.indexOf(state.doelgroep) < 0 && g.indexOf('iedereen') < 0) { return 0; }
    }
    if (timeFilterOn()) {
      var st = openState(i);
      if (st === 'dicht') { return 0; }
      if (st === 'onbekend') { return state.onbekend ? 2 : 0; }
    }
    return 1;
  }
  // Counts are of the layers that are on (not of 'kleine plekken' or 'overige plekken' while they are off).
  // countOnly: the index stays as it is (it is built the first time all the same).
  function applyFilters(countOnly) {
    var n = { shown: 0, total: 0, grey: 0, inloop: 0, hours: 0 };
    var inloop = col('inloop') || [], dagen = col('dagen') || [];
    for (var i = 0; i < N; i++) {
      var p = passes(i);
      PASS[i] = p;
      if (!groupOn(GROUP_OF[i])) { continue; }
      n.total++;
      if (inloop[i] === true) { n.inloop++; }
      if (!empty(dagen[i])) { n.hours++; }
      if (p) { n.shown++; if (p === 2) { n.grey++; } }
    }
    if (countOnly !== true || !assetsReady) { assetsReady = true; rebuildIndex(); }
    showStatus(n);
    if (filterKey) { filterKey.style.display = timeFilterOn() && state.onbekend ? '' : 'none'; }
    if (doelgroepHint) { doelgroepHint.style.display = state.doelgroep ? '' : 'none'; }
    var colourKey = openColoursOn() ? state.dag + '|' + state.dagdeel : '';
    if (countOnly !== true && colourKey !== shownColours) { shownColours = colourKey; recolour(); }
    document.dispatchEvent(new CustomEvent('abcd:filters'));  // the visible set may have changed
  }
  var shownColours = '';  // the time the buurt colours were last drawn for ('' = the chosen metric)
  var doelgroepHint = null;
  function showStatus(n) {
    if (!filterStatus) { return; }
    var txt = (n.shown === n.total) ? n.total + ' plekken en mensen' : n.shown + ' van ' + n.total + ' zichtbaar';
    if (n.grey) { txt += ', waarvan ' + n.grey + ' grijs: openingstijden onbekend'; }
    filterStatus.textContent = txt;
    var why = '';
    if (n.shown === 0 && state.inloop && n.inloop === 0) {
      why = 'OSM kent geen inloop: alleen de eigen lijst zegt of iets inloop is.';
    } else if (n.shown === 0 && timeFilterOn() && n.hours === 0) {
      why = 'Van geen enkele plek zijn openingstijden bekend (in OSM of in de eigen lijst).';
    } else if (n.shown === 0 && timeFilterOn() && !state.onbekend) {
      why = 'Geen plek is dan zeker open; plekken met onbekende tijden staan uit.';
    }
    filterWhy.textContent = why;
    filterWhy.style.display = why ? '' : 'none';
  }
  var filterWhy = el('div', 'abcd-small abcd-filter-why');
  function makeFilterControl() {
    var Ctl = L.Control.extend({
      options: { position: 'topleft' },
      onAdd: function () {
        var box = el('div', 'abcd-box abcd-filters');
        L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box);
        var head = el('button', 'abcd-panel-head', 'Filters');
        var det = el('div');
        box.appendChild(head);
        var f1 = el('label', 'abcd-field', 'Voor wie');
        var sel = el('select'); sel.id = 'abcd-filter-doelgroep';
        sel.appendChild(new Option('iedereen (geen filter)', ''));
        D.filter_doelgroepen.forEach(function (g) { sel.appendChild(new Option(g.label, g.code)); });
        sel.addEventListener('change', function () { state.doelgroep = sel.value; applyFilters(); });
        f1.appendChild(sel); det.appendChild(f1);
        doelgroepHint = el('div', 'abcd-small abcd-filter-hint', 'ook plekken zonder doelgroep: die zijn voor iedereen');
        doelgroepHint.id = 'abcd-filter-doelgroep-hint';
        sel.setAttribute('aria-describedby', doelgroepHint.id);
        det.appendChild(doelgroepHint);
        var f2 = el('label', 'abcd-check');
        var cb = el('input'); cb.type = 'checkbox'; cb.id = 'abcd-filter-inloop';
        cb.addEventListener('change', function () { state.inloop = cb.checked; applyFilters(); });
        f2.appendChild(cb); f2.appendChild(document.createTextNode(' alleen inloop (zonder afspraak)'));
        det.appendChild(f2);
        var row = el('div', 'abcd-field-row');
        var f3 = el('label', 'abcd-field', 'Open op');
        var ds = el('select'); ds.id = 'abcd-filter-dag';
        ds.appendChild(new Option('elke dag (geen filter)', ''));
        DAYS.forEach(function (d, i) { ds.appendChild(new Option(d, String(i))); });
        ds.addEventListener('change', function () { state.dag = ds.value; applyFilters(); });
        f3.appendChild(ds); row.appendChild(f3);
        var f4 = el('label', 'abcd-field', 'Dagdeel');
        var ps = el('select'); ps.id = 'abcd-filter-dagdeel';
        ps.appendChild(new Option('hele dag', ''));
        D.day_parts.forEach(function (p, i) { ps.appendChild(new Option(p.label, String(i))); });
        ps.addEventListener('change', function () { state.dagdeel = ps.value; applyFilters(); });
        f4.appendChild(ps); row.appendChild(f4);
        det.appendChild(row);
        var f5 = el('label', 'abcd-check');
        var cu = el('input'); cu.type = 'checkbox'; cu.id = 'abcd-filter-onbekend'; cu.checked = state.onbekend;
        cu.addEventListener('change', function () { state.onbekend = cu.checked; applyFilters(); });
        f5.appendChild(cu); f5.appendChild(document.createTextNode(' ook plekken met onbekende tijden tonen'));
        det.appendChild(f5);
        filterKey = el('div', 'abcd-legend-row abcd-filter-key');
        var pin = el('span', 'abcd-marker-onbekend abcd-key-pin');
        pin.appendChild(el('span', 'abcd-pin'));
        filterKey.appendChild(pin);
        filterKey.appendChild(el('span', null, 'grijs: openingstijden onbekend, misschien open'));
        det.appendChild(filterKey);
        filterStatus = el('div', 'abcd-status');
        filterStatus.setAttribute('role', 'status');
        det.appendChild(filterStatus);
        filterWhy.id = 'abcd-filter-why';
        det.appendChild(filterWhy);
        box.appendChild(det);
        panel('filters', box, head, det, false);
        return box;
      }
    });
    return new Ctl();
  }

  // ---------------------------------------------------------------- search
  // Names are compared without accents, case and punctuation ("Sint-Jan" = "sint jan").
  function searchKey(s) { return normalise(s).replace(/[^a-z0-9]+/g, ' ').trim(); }
  // Made when first searched, or when the page is idle after its first frame (50,000 places: ~0.1 s).
  var searchBuilt = false;
  function buildSearchIndex() {
    if (searchBuilt) { return; }
    searchBuilt = true;
    SEARCH = [];
    Object.keys(WIJK).forEach(function (k) {
      var w = WIJK[k];
      if (empty(w.wijknaam)) { return; }
      SEARCH.push({ text: String(w.wijknaam), key: searchKey(w.wijknaam), kind: 'wijk', order: 0, label: 'Wijk',
                    context: empty(w.inwoners) ? '' : fmtNumber(w.inwoners) + ' inwoners', wijk: w });
    });
    BUURT.forEach(function (b, i) {
      if (empty(b.buurtnaam)) { return; }
      var w = WIJK[b.wijkcode];
      var wn = b.wijknaam || (w && w.wijknaam);
      SEARCH.push({ text: String(b.buurtnaam), key: searchKey(b.buurtnaam), kind: 'buurt', order: 1, label: 'Buurt',
                    context: empty(wn) ? '' : 'in wijk ' + wn, buurt: i });
    });
    var names = col('naam') || [], kinds = col('label') || [], addresses = col('adres') || [], buurten = col('buurt') || [];
    for (var i = 0; i < N; i++) {
      if (empty(names[i])) { continue; }
      var ctx = [];
      if (!empty(kinds[i])) { ctx.push(kinds[i]); }
      if (!empty(addresses[i])) { ctx.push(addresses[i]); }
      if (!empty(buurten[i])) { ctx.push('buurt ' + buurten[i]); }
      SEARCH.push({ text: String(names[i]), key: searchKey(names[i]), extra: searchKey(kinds[i] || ''), kind: 'plek',
                    order: 2, label: CAT_LIST[CAT_OF[i]].label, context: ctx.join(' · '), asset: i });
    }
  }
  // 0 exact name, 1 name starts with it, 2 a word of the name does, 3 somewhere in the name,
  // 4 only in the kind of place ("school"); -1 no match.
  function searchRank(h, q) {
    if (h.key === q) { return 0; }
    var i = h.key.indexOf(q);
    if (i === 0) { return 1; }
    if (i > 0) { return h.key.charAt(i - 1) === ' ' ? 2 : 3; }
    if (h.extra && h.extra.indexOf(q) >= 0) { return 4; }
    return -1;
  }
  // Ranked hits: exact, then prefix, then contains; areas before places at equal rank.
  // The best `limit` (default 20) are shown, and every exact match however many there are.
  function search(query, limit) {
    var q = searchKey(query);
    if (!q) { return { hits: [], more: 0 }; }
    var found = [];
    buildSearchIndex();
    SEARCH.forEach(function (h) {
      var r = searchRank(h, q);
      if (r >= 0 && (q.length >= 2 || r === 0)) { found.push({ h: h, r: r }); }
    });
    found.sort(function (x, y) {
      return x.r - y.r || x.h.order - y.h.order || (x.h.key < y.h.key ? -1 : (x.h.key > y.h.key ? 1 : 0));
    });
    limit = limit || 20;
    var shown = found.filter(function (x, i) { return i < limit || x.r === 0; });
    return { hits: shown.map(function (x) { return x.h; }), more: found.length - shown.length };
  }
  function makeSearchControl() {
    requestAnimationFrame(function () {  // after the first frame, when the page is idle
      setTimeout(function () { (window.requestIdleCallback || setTimeout)(buildSearchIndex, { timeout: 3000 }); }, 0);
    });
    var Ctl = L.Control.extend({
      options: { position: 'topleft' },
      onAdd: function () {
        var box = el('div', 'abcd-box abcd-search');
        box.setAttribute('role', 'search');
        L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box);
        var input = el('input'); input.type = 'search'; input.id = 'abcd-search';
        input.placeholder = 'Zoek een plek, buurt of wijk';
        input.setAttribute('aria-label', 'Zoek een plek, buurt of wijk op naam');
        input.setAttribute('role', 'combobox');
        input.setAttribute('aria-autocomplete', 'list');
        input.setAttribute('aria-controls', 'abcd-results');
        input.setAttribute('aria-expanded', 'false');
        input.autocomplete = 'off';
        var list = el('ul', 'abcd-results'); list.id = 'abcd-results';
        list.setAttribute('role', 'listbox');
        list.setAttribute('aria-label', 'Zoekresultaten');
        list.hidden = true;
        var count = el('div', 'abcd-search-count');
        count.setAttribute('aria-live', 'polite');
        box.appendChild(input); box.appendChild(list); box.appendChild(count);
        var hits = [], active = -1;
        function close() {
          list.textContent = ''; hits = []; active = -1; list.hidden = true;
          input.setAttribute('aria-expanded', 'false');
          input.removeAttribute('aria-activedescendant');
        }
        function mark(i) {
          var opts = list.querySelectorAll('[role=option]');
          if (!opts.length) { return; }
          active = (i + opts.length) % opts.length;
          for (var j = 0; j < opts.length; j++) { opts[j].setAttribute('aria-selected', j === active ? 'true' : 'false'); }
          input.setAttribute('aria-activedescendant', opts[active].id);
          opts[active].scrollIntoView({ block: 'nearest' });
        }
        function pick(h) {
          close();
          input.value = h.text;
          count.textContent = '';
          goTo(h);
        }
        function show() {
          close();
          count.textContent = '';
          if (!searchKey(input.value)) { return; }
          var res = search(input.value);
          hits = res.hits;
          input.setAttribute('aria-expanded', 'true');
          list.hidden = false;
          if (!hits.length) {
            if (searchKey(input.value).length >= 2) { list.appendChild(el('li', 'abcd-none', 'Niets gevonden')); }
            return;
          }
          hits.forEach(function (h, i) {
            var li = el('li', 'abcd-hit abcd-hit-' + h.kind);
            li.id = 'abcd-hit-' + i;
            li.setAttribute('role', 'option');
            li.setAttribute('aria-selected', 'false');
            li.appendChild(el('span', 'abcd-hit-name', h.text));
            var sub = el('span', 'abcd-hit-context', h.label + (h.context ? ' · ' + h.context : ''));
            li.appendChild(sub);
            // the list is emptied on a pick: the click must not go on to the map (it would close the popup)
            li.addEventListener('click', function (e) { e.stopPropagation(); pick(h); });
            list.appendChild(li);
          });
          if (res.more) { list.appendChild(el('li', 'abcd-none', 'en ' + res.more + ' meer: typ verder')); }
          count.textContent = hits.length + (res.more ? '+' : '') + ' gevonden';
        }
        // a click on a hit must not blur the input first
        list.addEventListener('mousedown', function (e) { e.preventDefault(); });
        input.addEventListener('input', show);
        input.addEventListener('keydown', function (e) {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            if (!hits.length) { show(); }
            if (hits.length) { mark(active < 0 && e.key === 'ArrowUp' ? -1 : active + (e.key === 'ArrowDown' ? 1 : -1)); }
            e.preventDefault();
          } else if (e.key === 'Enter') {
            if (!hits.length && searchKey(input.value)) { show(); }
            if (hits.length) { pick(hits[active >= 0 ? active : 0]); }
            e.preventDefault();
          } else if (e.key === 'Escape' && hits.length + list.childNodes.length) {
            close();
            e.preventDefault();   // keep the text (a search box would clear it)
            e.stopPropagation();  // the first Esc closes the list, the next one a popup
          }
        });
        input.addEventListener('blur', function () { setTimeout(close, 150); });
        return box;
      }
    });
    return new Ctl();
  }
  function goTo(hit) {
    if (hit.kind === 'plek') {
      openAsset(hit.asset);
    } else if (hit.kind === 'buurt') {
      var f = D.buurten.geo.features.filter(function (x) { return x.properties.i === hit.buurt; })[0];
      if (f && f.properties._layer) {
        var layer = f.properties._layer;
        if (buurtLayer && !MAP.hasLayer(buurtLayer)) { MAP.addLayer(buurtLayer); }
        MAP.fitBounds(layer.getBounds(), { maxZoom: 16 });
        layer.fire('click', { latlng: layer.getBounds().getCenter() }, true);
      }
    } else if (hit.kind === 'wijk') {
      var bounds = null;
      D.buurten.geo.features.forEach(function (x) {
        if (BUURT[x.properties.i].wijkcode === hit.wijk.wijkcode && x.properties._layer) {
          var b = x.properties._layer.getBounds();
          bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
        }
      });
      if (bounds) { MAP.fitBounds(bounds); }
    }
  }

  // ---------------------------------------------------------------- title box
  function makeTitleControl() {
    var Ctl = L.Control.extend({
      options: { position: 'topleft' },
      onAdd: function () {
        var box = el('div', 'abcd-box abcd-title');
        L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box);
        var head = el('div', 'abcd-title-head');
        if (D.meta.fictief) {
          var badge = el('div', 'abcd-fictief', 'FICTIEF');
          badge.id = 'abcd-fictief';
          badge.title = 'Verzonnen voorbeeldgegevens: geen echte mensen of plekken';
          head.appendChild(badge);
        }
        head.appendChild(el('h1', null, D.meta.title));
        var tools = el('div', 'abcd-title-tools');
        var info = el('button', null, 'Info');
        info.setAttribute('aria-label', 'Info: uitleg bij de kaart tonen of verbergen');
        var present = el('button', 'abcd-present-button', 'Beamer');
        present.type = 'button'; present.id = 'abcd-present';
        present.title = 'Presentatie: grote letters, panelen ingeklapt (toets p)';
        present.setAttribute('aria-pressed', 'false');
        present.setAttribute('aria-keyshortcuts', 'p');
        present.addEventListener('click', function () { setPresent(!presenting); });
        tools.appendChild(info); tools.appendChild(present);
        head.appendChild(tools);
        box.appendChild(head);
        var body = el('div');
        box.appendChild(body);
        var line = [];
        if (!empty(D.meta.gebied)) { line.push(D.meta.gebied); }
        if (!empty(D.meta.datum)) { line.push('kaart gemaakt op ' + D.meta.datum); }
        if (line.length) { body.appendChild(el('div', 'abcd-sub', line.join(' · '))); }
        if (/^[\w.-]+\.html$/.test(D.meta.terug)) {  // per-wijk map: back to the index (a plain file name only)
          var back = el('a', 'abcd-back', '← Alle wijken');
          back.href = D.meta.terug;
          body.appendChild(el('div', 'abcd-small')).appendChild(back);
        }
        var mode = el('div', 'abcd-mode abcd-mode-' + D.meta.modus);
        mode.appendChild(el('strong', null, D.meta.modus_label));
        mode.appendChild(document.createTextNode(': ' + D.meta.modus_uitleg));
        body.appendChild(mode);
        if (!empty(D.meta.afstand)) { body.appendChild(el('div', 'abcd-small', 'Loopafstand: ' + D.meta.afstand)); }
        if (D.meta.fictief) {
          body.appendChild(el('div', 'abcd-small abcd-fictief-text', 'Alle namen en plekken op deze kaart zijn verzonnen.'));
        }
        if (D.meta.bronnen.length) {
          body.appendChild(el('div', 'abcd-small abcd-sources', 'Bronnen: ' + D.meta.bronnen.join('; ')));
        }
        if (D.meta.notes.length) {
          var det = el('details', 'abcd-small');
          det.appendChild(el('summary', null, 'Toelichting'));
          var ul = el('ul');
          D.meta.notes.forEach(function (n) { ul.appendChild(el('li', null, n)); });
          det.appendChild(ul); body.appendChild(det);
        }
        panel('info', box, info, body, true);
        return box;
      }
    });
    return new Ctl();
  }

  // ---------------------------------------------------------------- legend
  function swatch(colour, hatch, outline) {
    var s = el('span', 'abcd-swatch' + (hatch ? ' abcd-hatch' : ''));
    if (!hatch) { s.style.background = colour; }
    if (outline) { s.style.borderColor = outline; s.style.borderWidth = '2px'; }
    return s;
  }
  function renderLegend() {
    if (!legendBody) { return; }
    legendBody.textContent = '';
    if (!state.metric) {
      legendBody.appendChild(el('div', 'abcd-small', 'Buurten zonder kleur: alleen de grenzen.'));
      return;
    }
    var m = shownMetric();
    var q = el('div', 'abcd-legend-q', m.question);
    q.id = 'abcd-legend-question';
    legendBody.appendChild(q);
    if (m.key === '_open') {
      legendBody.appendChild(el('div', 'abcd-small abcd-legend-open',
        'Kleur volgt het filter \u2018Open op\u2019; plekken met onbekende openingstijden tellen niet mee. ' +
        'Zet het filter uit voor \u2018' + metricInfo(state.metric).label + '\u2019.'));
    }
    (m.classes || D.classes).forEach(function (c) {
      var row = el('div', 'abcd-legend-row');
      row.appendChild(swatch(c.colour, false, c.outline));
      row.appendChild(el('span', null, c.label));
      legendBody.appendChild(row);
    });
    var nd = el('div', 'abcd-legend-row');
    nd.appendChild(swatch(null, true));
    nd.appendChild(el('span', null, 'geen gegevens (geen OSM-gegevens of geen inwoners)'));
    legendBody.appendChild(nd);
  }
  function makeLegendControl() {
    var Ctl = L.Control.extend({
      options: { position: 'bottomright' },
      onAdd: function () {
        var outer = el('div', 'abcd-box abcd-legend');
        outer.id = 'abcd-legend';
        legendBox = outer;
        L.DomEvent.disableClickPropagation(outer); L.DomEvent.disableScrollPropagation(outer);
        var head = el('button', 'abcd-panel-head', 'Legenda');
        outer.appendChild(head);
        var box = el('div');
        outer.appendChild(box);
        var lab = el('label', 'abcd-field', 'Kleur buurten naar');
        var sel = el('select'); sel.id = 'abcd-metric';
        D.metrics.forEach(function (mm) { sel.appendChild(new Option(mm.label, mm.key)); });
        sel.appendChild(new Option('geen kleur (alleen grenzen)', ''));
        sel.value = state.metric;
        sel.addEventListener('change', function () { setMetric(sel.value); });
        lab.appendChild(sel);
        box.appendChild(lab);
        legendBody = el('div', 'abcd-legend-body');
        box.appendChild(legendBody);
        if (D.relations) {
          var rl = el('div', 'abcd-overlay-legend');
          rl.id = 'abcd-relation-legend';
          rl.appendChild(el('div', 'abcd-legend-q', 'Relaties tussen plekken en mensen'));
          var used = {};
          D.relations.features.forEach(function (f) { used[f.properties.relatie] = true; });
          Object.keys(D.relation_colours).forEach(function (code) {
            if (!used[code]) { return; }
            var r = el('div', 'abcd-legend-row');
            var ln = el('span', 'abcd-line-swatch'); ln.style.borderTopColor = D.relation_colours[code];
            r.appendChild(ln); r.appendChild(el('span', null, D.labels.relatie[code] || code));
            rl.appendChild(r);
          });
          overlayLegend.relations.box = rl;
          box.appendChild(rl);
        }
        if (D.welcoming) {
          var stageLegend = el('div', 'abcd-overlay-legend abcd-stage-legend');
          stageLegend.id = 'abcd-stage-legend';
          stageLegend.appendChild(el('div', 'abcd-legend-q', 'Gastvrijheid (kwartiermaken): hoe ver is elke plek?'));
          D.welcoming.stages.forEach(function (st) {
            var r = el('div', 'abcd-legend-row');
            var dot = el('span', 'abcd-stage-dot'); dot.style.background = st.colour;
            r.appendChild(dot); r.appendChild(el('span', null, st.label + ' (' + st.n + ')'));
            stageLegend.appendChild(r);
          });
          var sr = el('div', 'abcd-legend-row abcd-stage-stale-row');
          sr.appendChild(el('span', 'abcd-stage-dot abcd-stage-stale'));
          sr.appendChild(el('span', null, D.welcoming.stale_label));
          stageLegend.appendChild(sr);
          overlayLegend.stages.box = stageLegend;
          box.appendChild(stageLegend);
        }
        Object.keys(overlayLegend).forEach(function (k) {
          var part = overlayLegend[k];
          if (part.box) { part.box.style.display = part.on ? '' : 'none'; }
        });
        renderLegend();
        panel('legend', outer, head, box, true);
        return outer;
      }
    });
    return new Ctl();
  }

  // ---------------------------------------------------------------- gaps, relations
  function gapLayer(key) {
    var g = D.gaps[key];
    var styles = {
      white: { color: '#b2182b', weight: 2, dashArray: '6 4', fillColor: '#ffffff', fillOpacity: 0.75, pane: 'abcdGaps' },
      knowledge: { color: '#542788', weight: 2, dashArray: '2 5', fillColor: '#b2abd2', fillOpacity: 0.45, pane: 'abcdGaps' },
      walk: { color: '#1b7837', weight: 1, fillColor: '#5aae61', fillOpacity: 0.35, pane: 'abcdGaps' }
    };
    var style = styles[g.style] || styles.knowledge;
    return L.geoJSON(g.geo, {
      style: style, pane: 'abcdGaps'
    }).bindTooltip(function (layer) {
        var f = layer.feature;
          var box = el('div', 'abcd-tip');
          box.appendChild(el('strong', null, g.label));
          g.fields.forEach(function (fld) {
            var v = f.properties[fld.key];
            if (!empty(v)) { box.appendChild(el('div', null, fld.label + ': ' + (typeof v === 'number' ? fmtNumber(v) : v))); }
          });
          return box;
        }, { sticky: true, className: 'abcd-tooltip' });
  }
  function relationLayer() {
    var layer = L.geoJSON(D.relations, {
      pane: 'abcdLines',
      style: function (f) { return { color: D.relation_colours[f.properties.relatie] || '#333333', weight: 3, opacity: 0.85, dashArray: '8 5' }; }
    }).bindTooltip(function (layer) {
          var p = layer.feature.properties;
          var box = el('div', 'abcd-tip');
          box.appendChild(el('strong', null, p.van_naam || ''));
          box.appendChild(el('div', null, (D.labels.relatie[p.relatie] || p.relatie || 'relatie').toLowerCase()));
          box.appendChild(el('strong', null, p.naar_naam || ''));
          return box;
        }, { sticky: true, className: 'abcd-tooltip' });
    layer.on('add', function () { setOverlayLegend('relations', true); });
    layer.on('remove', function () { setOverlayLegend('relations', false); });
    return layer;
  }

  // ---------------------------------------------------------------- welcoming stages (kwartiermaken)
  function setOverlayLegend(key, on) {
    var part = overlayLegend[key];
    part.on = on;
    if (part.box) {
      part.box.style.display = on ? '' : 'none';
      fitControls();
      if (on && legendBox) { legendBox.scrollTop = legendBox.scrollHeight; }
    }
  }
  // Share the height on the right between the layer list (top) and the legend (bottom), so they never overlap.
  var settling = false;  // finish() is adding the panels: fit them once at its end (each fit forces a layout)
  function fitControls() {
    if (!MAP || !legendBox || settling) { return; }
    var layers = MAP.getContainer().querySelector('.leaflet-control-layers-expanded');
    var attribution = MAP.getContainer().querySelector('.leaflet-control-attribution');
    var room = MAP.getSize().y - 10 - 10 - 10 - (attribution ? attribution.offsetHeight : 0);
    legendBox.style.maxHeight = ''; if (layers) { layers.style.maxHeight = ''; }
    if (SHEET) { return; }  // phone: the bottom sheet limits its own height
    var lh = layers ? layers.scrollHeight + 2 : 0;
    var gh = legendBox.scrollHeight + 2;
    var g = (lh + gh <= room) ? gh : Math.max(Math.min(gh, room * 0.5), room - lh);
    legendBox.style.maxHeight = Math.max(80, Math.floor(g)) + 'px';
    if (layers) { layers.style.maxHeight = Math.max(80, Math.floor(room - g)) + 'px'; }
  }
  function stageTooltip(r) {
    var box = el('div', 'abcd-tip');
    box.appendChild(el('strong', null, r.naam || 'Zonder naam'));
    box.appendChild(el('div', null, 'Gastvrijheid: ' + (D.labels.fase[r.fase] || r.fase)));
    if (r.contact_verouderd) { box.appendChild(el('div', 'abcd-stale-text', D.welcoming.stale_label)); }
    return box;
  }
  function stagePopup(r) {
    var box = el('div', 'abcd-popup');
    box.appendChild(el('h3', null, r.naam || 'Zonder naam'));
    var c = CATEGORY[r.categorie];
    var what = [];
    if (c) { what.push(c.label); }
    if (!empty(r.soort)) { what.push(D.labels.soort[r.soort] || r.soort); }
    box.appendChild(el('div', 'abcd-sub', what.join(' · ')));
    var dl = el('dl');
    var fd = addRow(dl, 'Fase', D.labels.fase[r.fase] || r.fase);
    var fc = D.fase_colours[r.fase];
    if (fd && fc) { var chip = el('span', 'abcd-chip'); chip.style.background = fc; fd.insertBefore(chip, fd.firstChild); }
    addRow(dl, 'Laatste contact', empty(r.laatste_contact) ? 'niet vastgelegd' : r.laatste_contact);
    if (!empty(r.maanden_sinds_contact)) {
      var n = Number(r.maanden_sinds_contact);
      addRow(dl, 'Maanden geleden', n === 0 ? 'minder dan een maand' : (n === 1 ? '1 maand' : n + ' maanden'));
    }
    addRow(dl, 'Door wie', r.beheerder);
    box.appendChild(dl);
    if (r.contact_verouderd) { box.appendChild(el('p', 'abcd-stale-text', 'Let op: ' + D.welcoming.stale_label + '.')); }
    return box;
  }
  function stageLayer() {
    var group = L.featureGroup();
    rowsToObjects(D.welcoming.table).forEach(function (r) {
      var ll = [r.lat, r.lon];
      if (r.contact_verouderd) {
        group.addLayer(L.circleMarker(ll, { pane: 'abcdStages', radius: 25, color: '#b2182b', weight: 2.5,
          dashArray: '4 3', fill: false, interactive: false }));
      }
      var dot = L.circleMarker(ll, { pane: 'abcdStages', radius: 20, color: '#ffffff', weight: 2,
        fillColor: D.fase_colours[r.fase] || '#bdbdbd', fillOpacity: 1 });
      dot._abcd = r;
      group.addLayer(dot);
    });
    group.bindTooltip(function (layer) { return stageTooltip(layer._abcd); }, { className: 'abcd-tooltip', direction: 'right', offset: [10, 0] });
    group.bindPopup(function (layer) { return stagePopup(layer._abcd); }, { maxWidth: 380 });
    group.on('add', function () { setOverlayLegend('stages', true); });
    group.on('remove', function () { setOverlayLegend('stages', false); });
    return group;
  }

  // The grouped layer list (made by folium) gets a head button like the other panels.
  function layersPanel(map) {
    var box = map.getContainer().querySelector('.leaflet-control-layers');
    var list = box && box.querySelector('.leaflet-control-layers-list');
    if (!list) { return; }
    L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box);
    var head = el('button', 'abcd-panel-head', 'Lagen');
    box.insertBefore(head, box.firstChild);
    panel('layers', box, head, list, true);
  }
  function dutchZoom(map) {
    [['.leaflet-control-zoom-in', 'Inzoomen'], ['.leaflet-control-zoom-out', 'Uitzoomen']].forEach(function (z) {
      var b = map.getContainer().querySelector(z[0]);
      if (b) { b.title = z[1]; b.setAttribute('aria-label', z[1]); }
    });
  }
  // The OpenStreetMap background needs internet: say so when its tiles fail, once.
  function watchBackground(map) {
    var told = false;
    map.on('layeradd', function (e) {
      if (!(e.layer instanceof L.TileLayer)) { return; }
      e.layer.on('tileerror', function () {
        if (told) { return; }
        told = true;
        var note = el('div', 'abcd-box abcd-offline', 'Achtergrondkaart niet geladen: geen internet? De kaart werkt zonder.');
        note.setAttribute('role', 'status');
        map.getContainer().appendChild(note);
        setTimeout(function () { if (note.parentNode) { note.parentNode.removeChild(note); } told = false; }, 8000);
      });
    });
  }
  // Keyboard order: the controls (title, search, filters, layers, legend) before the markers,
  // so that Tab reaches the search in a few presses instead of after every place on the map.
  function controlsFirst(map) {
    var c = map.getContainer(), cc = c.querySelector('.leaflet-control-container');
    if (cc && c.firstChild !== cc) { c.insertBefore(cc, c.firstChild); }
  }
  // Areas, lines and dots are SVG paths: Chromium would stop Tab on each of them without a name.
  // They are kept out of the Tab order and hidden from screen readers; the same facts are reached
  // by name (search: every buurt and wijk, with its popup), by the markers and in buurten.csv.
  // Popups: a Dutch name for the close button, announced when they open, and when one closes
  // (Esc, the cross) focus goes back to where it was (a marker, the search box).
  function accessibleOverlays(map) {
    map.on('layeradd', function (e) {
      var path = e.layer && e.layer._path;
      if (path) { path.setAttribute('tabindex', '-1'); path.setAttribute('aria-hidden', 'true'); }
    });
    map.getPane('popupPane').setAttribute('aria-live', 'polite');
    map.on('popupopen', function (e) {
      var a = document.activeElement, box = e.popup.getElement();
      openPopup = e.popup;
      popupOpener = a && a !== document.body && !(box && box.contains(a)) ? a : popupOpener;
      var close = box && box.querySelector('.leaflet-popup-close-button');
      if (close) { close.setAttribute('aria-label', 'Sluiten'); close.title = 'Sluiten (Esc)'; }
    });
    map.on('popupclose', function (e) {
      var box = e.popup.getElement(), a = document.activeElement, back = popupOpener;
      if (openPopup === e.popup) { openPopup = null; }
      popupOpener = null;
      var lost = !a || a === document.body || (box && box.contains(a));
      if (lost && back && document.body.contains(back) && back.getClientRects().length) { back.focus(); }
    });
  }
  function finish(map) {
    settling = true;
    makeTitleControl().addTo(map);
    makeSearchControl().addTo(map);
    makeFilterControl().addTo(map);
    makeLegendControl().addTo(map);
    layersPanel(map);
    dutchZoom(map);
    watchBackground(map);
    controlsFirst(map);
    document.dispatchEvent(new CustomEvent('abcd:ready'));  // list.js adds its panel (ABCD.addPanel) now
    layout();
    if (PHONE.addEventListener) { PHONE.addEventListener('change', layout); }
    else if (PHONE.addListener) { PHONE.addListener(layout); }
    window.addEventListener('beforeprint', fitForPrint);
    window.addEventListener('afterprint', afterPrint);
    var printing = window.matchMedia ? window.matchMedia('print') : null;
    if (printing && printing.addEventListener) {
      printing.addEventListener('change', function (e) { if (e.matches) { fitForPrint(); } else { afterPrint(); } });
    }
    applyFilters(true);
    settling = false;
    fitControls();
    map.on('resize', fitControls);
    window.addEventListener('load', fitControls);
    setTimeout(fitControls, 0);
    if (window.performance && performance.mark) { performance.mark('abcd-ready'); }
    window.__abcd_ready = true;
  }

  // ---------------------------------------------------------------- the contract with list.js
  // (see ABCD below): visibleAssets, openAsset and the events 'abcd:filters', 'abcd:popup' ({detail: {i}})
  // and 'abcd:popupclose' are in the assets part above.
  // a panel of another script: folds like the others, sits in the phone's bottom sheet (name 'list')
  function addPanel(name, box, button, body) {
    L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box);
    panel(name, box, button, body, false);
    laidOut = false;
    layout();
  }

  window.ABCD = {
    start: start, buurtLayer: makeBuurtLayer, wijkLayer: makeWijkLayer, assetLayer: assetLayer,
    gapLayer: gapLayer, relationLayer: relationLayer, stageLayer: stageLayer, finish: finish, setMetric: setMetric,
    applyFilters: applyFilters, state: state, panel: setPanel, panels: panelStates, present: setPresent,
    leaflet: function () { return MAP; }, visible: visibleAssets, openAsset: openAsset, addPanel: addPanel,
    categoryLabel: function (code) { return (CATEGORY[code] || D.category_fallback).label; },
    search: function (q, limit) { return search(q, limit).hits.map(function (h) { return { text: h.text, kind: h.kind, label: h.label, context: h.context }; }); }
  };
}());
