(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  // the node and edge tables are {columns: [...], rows: [[...], ...]} (exports/netmap.py NODE_ROW,
  // EDGE_ROW); each cell is read by its column's name, looked up once here
  function column(table, name) {
    var i = table.columns.indexOf(name);
    if (i < 0) { throw new Error("map data: no column " + name); }
    return i;
  }
  var N_ID = column(data.nodes, "id"), N_LABEL = column(data.nodes, "label"), N_KIND = column(data.nodes, "kind"),
      N_STATUS = column(data.nodes, "status"), N_SIZE = column(data.nodes, "size"),
      N_VALUES = column(data.nodes, "values"), N_SOURCES = column(data.nodes, "sources"),
      N_REASON = column(data.nodes, "reason"), N_NEAR = column(data.nodes, "near"),
      N_SITES = column(data.nodes, "sites");
  var E_FROM = column(data.edges, "from"), E_TO = column(data.edges, "to"), E_KIND = column(data.edges, "kind"),
      E_WIDTH = column(data.edges, "width"), E_DASHED = column(data.edges, "dashed"),
      E_VALUES = column(data.edges, "values"), E_SOURCES = column(data.edges, "sources");
  function sourcesLine(ix) {
    if (!ix.length) { return "sources: none recorded"; }
    return "sources: " + ix.map(function (i) { return data.sources[i]; }).join("; ");
  }
  // dictionaries are Maps: a plain object keyed by data ("constructor", "__proto__") would
  // hand back what every object inherits
  function dict(obj) { return new Map(Object.entries(obj)); }
  var percent = new Set(data.percentKeys);
  var stakeKinds = new Set(data.stakeKinds);
  var kindStyle = dict(data.kindStyle), edgeColours = dict(data.edgeColours);
  var statusLabels = dict(data.statusLabels), statusColours = dict(data.statusColours);
  function show(v) {
    if (Array.isArray(v)) { return v.join(", "); }
    if (v === true) { return "yes"; }
    if (v === false) { return "no"; }
    return String(v);
  }
  // "name: value" lines for the values present; an edge's validity becomes one last line,
  // and a stake edge with neither share nor voting says the share is not published
  function propLines(vals, edgeKind) {
    var lines = [], from = null, to = null, stake = false;
    Object.keys(vals).forEach(function (k) {
      var v = vals[k];
      if (v === null || v === undefined) { return; }
      if (edgeKind && k === "valid_from") { from = v; return; }
      if (edgeKind && k === "valid_to") { to = v; return; }
      if (k === "share" || k === "voting") { stake = true; }
      lines.push(k.replace(/_/g, " ") + ": " + show(v) + (edgeKind && percent.has(k) ? " %" : ""));
    });
    lines = lines.slice(0, data.maxLines);
    if (edgeKind && stakeKinds.has(edgeKind) && !stake) { lines.push("share: not published (unknown)"); }
    if (from !== null || to !== null) { lines.push("valid: " + (from || "\u2026") + " to " + (to || "\u2026")); }
    return lines;
  }
  // vis-network keeps its own plain objects keyed by node id, so it is given safe ids ("n0",
  // "n1"... and "e0"...); each item keeps the real id in nodeId (edges: fromId, toId)
  var visIdOf = new Map(), labelOf = new Map();
  data.nodes.rows.forEach(function (r, i) { visIdOf.set(r[N_ID], "n" + i); labelOf.set(r[N_ID], r[N_LABEL]); });
  // rows -> vis-network items; every title is a plain string, which vis-network shows as text
  var nodeItems = data.nodes.rows.map(function (r, i) {
    var kind = data.kinds[r[N_KIND]], st = r[N_STATUS] >= 0 ? data.statuses[r[N_STATUS]] : null;
    var style = kindStyle.get(kind) || ["#607d8b", "dot"];
    var lines = [r[N_LABEL], kind + " \u00b7 id " + r[N_ID]].concat(propLines(r[N_VALUES], null));
    var reason = r[N_REASON];
    if (st) { lines.push(data.statusWhat + ": " + statusLabels.get(st) + (reason ? " (" + reason + ")" : "")); }
    if (r[N_SITES] !== null) { lines.push("sites of its group: " + r[N_SITES]); }
    lines.push(sourcesLine(r[N_SOURCES]));
    var item = {id: "n" + i, nodeId: r[N_ID], label: r[N_LABEL], kind: kind, shape: style[1], size: r[N_SIZE],
                near: r[N_NEAR] === 1, title: lines.join("\n")};
    if (st) {
      var c = statusColours.get(st);
      item.status = st;
      item.color = {background: c, border: "#37474f", highlight: {background: c, border: "#000"}};
    } else {
      item.color = {background: style[0], border: style[0]};
    }
    if (r[N_SIZE] >= 26) { item.font = {size: 16, bold: true}; }
    return item;
  });
  var edgeItems = data.edges.rows.map(function (r, i) {
    var kind = data.kinds[r[E_KIND]], u = r[E_FROM], v = r[E_TO];
    var lines = [kind + ": " + labelOf.get(u) + " \u2192 " + labelOf.get(v)];
    lines = lines.concat(propLines(r[E_VALUES], kind));
    lines.push(sourcesLine(r[E_SOURCES]));
    return {id: "e" + i, from: visIdOf.get(u), to: visIdOf.get(v), fromId: u, toId: v, kind: kind,
            width: r[E_WIDTH], dashes: r[E_DASHED] === 1, color: {color: edgeColours.get(kind) || "#b0bec5"},
            title: lines.join("\n")};
  });
  // the focus's links are longer springs when it has many neighbours, so the ring of their
  // (readable, see readableLabels) labels has room: about data.labels.ringPx per neighbour
  var focusIds = new Set(nodeItems.filter(function (n) { return n.size >= 26; }).map(function (n) { return n.id; }));
  var nearCount = nodeItems.filter(function (n) { return n.near; }).length;
  var ring = Math.max(data.options.physics.barnesHut.springLength, data.labels.ringPx * nearCount);
  edgeItems.forEach(function (e) { if (focusIds.has(e.from) || focusIds.has(e.to)) { e.length = ring; } });
  // a labelled neighbour pushes the others away harder (vis-network's repulsion grows with a node's
  // mass), so the labels around a busy focus get room
  if (focusIds.size) { nodeItems.forEach(function (n) { if (n.near && !focusIds.has(n.id)) { n.mass = data.labels.nearMass; } }); }
  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);
  var container = document.getElementById("map");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  var status = document.getElementById("status");
  var freeze = document.getElementById("freeze");
  var frozen = false;
  // the hook for tools (documented in the module docstring)
  window.campaignMap = {
    network: network, nodes: nodes, edges: edges, stabilized: false,
    visId: function (nodeId) { return visIdOf.get(nodeId); },
    node: function (nodeId) { var v = visIdOf.get(nodeId); return v === undefined ? null : nodes.get(v); },
    nodeIds: function (visIds) { return visIds.map(function (v) { return nodes.get(v).nodeId; }); }
  };
  function setFrozen(value) {
    frozen = value;
    network.setOptions({physics: {enabled: !frozen}});
    freeze.textContent = frozen ? "Unfreeze layout" : "Freeze layout";
  }
  network.on("stabilizationProgress", function (p) {
    status.textContent = "laying out\u2026 " + Math.round(100 * p.iterations / p.total) + "%";
  });
  // Labels readable as opened: the layout is fitted to the window, so a label's size on screen is
  // its font size times the view's scale. The focus and its neighbours ("near") get the font that
  // reads at data.labels.labelPx (the focus focusLabelPx) on screen at that scale, and wrap at
  // labelWrapPx; the other labels keep 12 units and are drawn only once one zooms in far enough
  // (vis-network's scaling.label.drawThreshold, set in exports/netmap.py). Sizing the labels can
  // widen the drawing, so it is fitted once more and the fonts set for the final scale.
  function readableLabels() {
    var sizes = data.labels;
    var near = nodeItems.filter(function (n) { return n.near; });
    for (var round = 0; round < 2; round++) {
      var scale = network.getScale();
      nodes.update(near.map(function (n) {
        var px = n.size >= 26 ? sizes.focusLabelPx : sizes.labelPx;
        var base = n.font ? n.font.size : 12;
        return {id: n.id, font: {size: Math.max(base, (px + 0.05) / scale)},
                widthConstraint: {maximum: Math.max(sizes.labelWrapPx, sizes.labelWrapPx / scale)}};
      }));
      if (round === 0) { network.redraw(); network.fit(); }
    }
    network.redraw();
  }
  network.once("stabilizationIterationsDone", function () {
    setFrozen(true);
    readableLabels();
    window.campaignMap.stabilized = true;
    document.body.setAttribute("data-map-ready", "1");  // for tools that wait on the DOM (the CSP forbids eval)
    status.textContent = "layout settled and frozen; drag nodes, or unfreeze";
  });
  freeze.addEventListener("click", function () { setFrozen(!frozen); });
  var list = document.getElementById("names");
  var seen = new Set();
  nodeItems.forEach(function (n) {
    if (seen.has(n.label)) { return; }
    seen.add(n.label);
    var o = document.createElement("option");
    o.value = n.label;
    list.appendChild(o);
  });
  document.getElementById("search").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = document.getElementById("q").value.trim().toLowerCase();
    if (!q) { return; }
    var hits = nodeItems.filter(function (n) { return n.label.toLowerCase() === q; });
    if (!hits.length) {
      hits = nodeItems.filter(function (n) {
        return n.label.toLowerCase().indexOf(q) >= 0 || String(n.nodeId).toLowerCase().indexOf(q) >= 0;
      });
    }
    if (!hits.length) { status.textContent = "no node matches"; return; }
    network.selectNodes(hits.map(function (n) { return n.id; }));
    network.focus(hits[0].id, {scale: 1.3, animation: {duration: 400}});
    status.textContent = hits.length + " node(s) found; showing " + hits[0].label;
  });
})();
