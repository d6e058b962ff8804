/* The network view of the entity page (templates/network.html.j2), drawn with the vendored
 * vis-network (static/vendor/vis-network). See docs/web-pages.md, "Network view".
 *
 * The view: the focus node (the page's node) and its neighbours, plus the neighbours of every node
 * the researcher expanded (click a node: its details show in the panel and its neighbours are added,
 * from /api/nodes/{id}/neighbours?hops=1; the panel's "Expand only" buttons bring one kind). Nodes
 * can be hidden by kind, one by one, or by the filters (site status, coverage value per dimension,
 * country, commodity); an as-of date asks the API for the edges in force that day; sites can be
 * coloured by a coverage dimension (values from POST /api/coverage/sites); nodes can be pinned; the
 * layout is the force-directed network or the ownership hierarchy (top-down).
 *
 * The view's state lives in the URL's fragment, so a link reopens the same view (docs/web-pages.md
 * lists the keys); a named view saved with PUT /api/views/{name} holds the same state as JSON.
 *
 * vis-network keys its items by id in plain objects, so it gets safe ids (n0, n1... e0, e1...) and
 * this script keeps the real ids in Maps: an id such as "__proto__" draws like any other.
 *
 * A hook for tools and tests, window.campaignView: network, nodes, edges (the vis DataSets; a node
 * item keeps its real id in nodeId), visId(id) (the safe id of a real id), nodeId(visId), state()
 * (expanded, hidden kinds, selected), view() (the whole state as a saved view holds it), shown()
 * (the real ids of the nodes shown), ready (true while the layout is settled; the canvas
 * container's data-state is "ready" then too, and its data-nodes / data-edges count the visible items).
 */
"use strict";

(() => {
  const {el, nodeUrl, getJSON, kindStyle, edgeColour, kindBadge, valueText, coverageValue, setStatus} = CG;
  const article = document.getElementById("entity");
  const focusId = article.dataset.nodeId;
  const container = document.getElementById("network");
  const netStatus = document.getElementById("network-status");
  const filterBox = document.getElementById("kind-filter");
  const detailsTitle = document.getElementById("details-title");
  const detailsHint = document.getElementById("details-hint");
  const detailsBody = document.getElementById("details-body");
  const viewStatus = document.getElementById("view-status");
  const styles = (() => {
    try {
      return JSON.parse(document.body.dataset.styles || "{}");
    } catch (e) {
      return {};
    }
  })();
  const DIMENSIONS = styles.dimensions || [];
  const COVERAGE_VALUES = ["covered", "not_covered", "unknown"];
  /** the kinds the country filter applies to (those that carry a country) */
  const COUNTRY_KINDS = new Set(["Company", "Site", "Union"]);
  /** edges that make the ownership hierarchy's levels (owner above owned, operator above site) */
  const OWNERSHIP = new Set(["OWNS", "OPERATES"]);
  /** above this many nodes the view is placed without physics (sunflower rings around the node
   * that brought them): a force layout of thousands of nodes takes many seconds in a 2D canvas */
  const BIG = 1500;

  // ------------------------------------------------------------------ view state in the URL
  function emptyState() {
    return {expanded: [], expandKinds: new Map(), hidden: new Set(), hiddenNodes: new Set(), pinned: new Map(),
            status: new Set(), cov: new Map(), country: new Set(), commodity: new Set(), colour: "",
            asOf: "", layout: "force", selected: null};
  }

  function unique(list) {
    return [...new Set(list)];
  }

  /** The state a fragment (without "#") describes; unknown keys and malformed values are ignored. */
  function parseHash(text) {
    const p = new URLSearchParams(text);
    const s = emptyState();
    s.expanded = unique(p.getAll("expand").filter((id) => id !== focusId));
    for (const item of p.getAll("by")) {  // "<kind>,<kind>:<id>": an expansion of some kinds only
      const at = item.indexOf(":");
      if (at > 0) s.expandKinds.set(item.slice(at + 1), item.slice(0, at).split(",").filter(Boolean));
    }
    s.hidden = new Set(p.getAll("hide"));
    s.hiddenNodes = new Set(p.getAll("hidenode").filter((id) => id !== focusId));
    for (const item of p.getAll("pin")) {  // "<x>,<y>,<id>"
      const m = /^(-?[0-9.]+),(-?[0-9.]+),(.+)$/s.exec(item);
      if (m) s.pinned.set(m[3], {x: Number(m[1]), y: Number(m[2])});
    }
    s.status = new Set(p.getAll("status"));
    for (const item of p.getAll("cov")) {  // "<dimension>:<value>"
      const [dim, value] = item.split(":");
      if (DIMENSIONS.includes(dim) && value) {
        if (!s.cov.has(dim)) s.cov.set(dim, new Set());
        s.cov.get(dim).add(value);
      }
    }
    s.country = new Set(p.getAll("country"));
    s.commodity = new Set(p.getAll("commodity"));
    s.colour = DIMENSIONS.includes(p.get("colour")) ? p.get("colour") : "";
    s.asOf = /^\d{4}-\d{2}-\d{2}$/.test(p.get("as_of") || "") ? p.get("as_of") : "";
    s.layout = p.get("layout") === "hierarchical" ? "hierarchical" : "force";
    s.selected = p.get("select");
    return s;
  }

  /** The fragment of a state (keys in a fixed order; defaults left out). */
  function hashOf(s) {
    const p = new URLSearchParams();
    for (const id of s.expanded) p.append("expand", id);
    for (const id of s.expanded) if (s.expandKinds.has(id)) p.append("by", `${s.expandKinds.get(id).join(",")}:${id}`);
    for (const k of [...s.hidden].sort()) p.append("hide", k);
    for (const id of s.hiddenNodes) p.append("hidenode", id);
    for (const [id, at] of s.pinned) p.append("pin", `${Math.round(at.x)},${Math.round(at.y)},${id}`);
    for (const v of [...s.status].sort()) p.append("status", v);
    for (const dim of DIMENSIONS) {
      if (s.cov.has(dim)) for (const v of [...s.cov.get(dim)].sort()) p.append("cov", `${dim}:${v}`);
    }
    for (const v of [...s.country].sort()) p.append("country", v);
    for (const v of [...s.commodity].sort()) p.append("commodity", v);
    if (s.colour) p.set("colour", s.colour);
    if (s.asOf) p.set("as_of", s.asOf);
    if (s.layout !== "force") p.set("layout", s.layout);
    if (s.selected !== null) p.set("select", s.selected);
    return p.toString();
  }

  /** A state as a saved view holds it (PUT /api/views/{name}; exports/web/views.py ViewState). */
  function viewOf(s) {
    const cov = {};
    for (const [dim, values] of s.cov) cov[dim] = [...values].sort();
    return {
      focus: focusId, expand: [...s.expanded], expand_kinds: Object.fromEntries(s.expandKinds),
      hide: [...s.hidden].sort(), hide_nodes: [...s.hiddenNodes],
      pin: [...s.pinned].map(([id, at]) => ({id, x: Math.round(at.x), y: Math.round(at.y)})),
      status: [...s.status].sort(), coverage: cov, country: [...s.country].sort(),
      commodity: [...s.commodity].sort(), colour: s.colour || null, as_of: s.asOf || null, layout: s.layout,
      select: s.selected,
    };
  }

  /** The page URL of a saved view (its focus's entity page, the rest in the fragment). */
  function urlOfView(v) {
    const p = new URLSearchParams();
    for (const id of v.expand || []) p.append("expand", id);
    for (const id of v.expand || []) {
      if (v.expand_kinds && v.expand_kinds[id]) p.append("by", `${v.expand_kinds[id].join(",")}:${id}`);
    }
    for (const k of v.hide || []) p.append("hide", k);
    for (const id of v.hide_nodes || []) p.append("hidenode", id);
    for (const pin of v.pin || []) p.append("pin", `${pin.x},${pin.y},${pin.id}`);
    for (const x of v.status || []) p.append("status", x);
    for (const [dim, values] of Object.entries(v.coverage || {})) for (const x of values) p.append("cov", `${dim}:${x}`);
    for (const x of v.country || []) p.append("country", x);
    for (const x of v.commodity || []) p.append("commodity", x);
    if (v.colour) p.set("colour", v.colour);
    if (v.as_of) p.set("as_of", v.as_of);
    if (v.layout && v.layout !== "force") p.set("layout", v.layout);
    if (v.select !== null && v.select !== undefined) p.set("select", v.select);
    const text = p.toString();
    return nodeUrl(v.focus) + (text ? "#" + text : "");
  }

  let state = parseHash(location.hash.replace(/^#/, ""));

  function writeHash() {
    const text = hashOf(state);
    const url = location.pathname + location.search + (text ? "#" + text : "");
    if (url !== location.pathname + location.search + location.hash) history.replaceState(null, "", url);
  }

  // ------------------------------------------------------------------ data from the API
  let known = new Map();       // real node id -> {id, kind, name, properties}
  let knownEdges = new Map();  // real edge id -> {id, source, target, kind, properties}
  let answers = new Map();     // "<id>\0<kinds>" -> Promise of its neighbours answer
  let coverage = new Map();    // site id -> {dimension: {value, reason}}, as of state.asOf
  let dataAsOf = state.asOf;   // the date the caches above hold answers for
  const truncated = new Set(); // nodes whose neighbours answer was cut short

  function resetData() {
    known = new Map();
    knownEdges = new Map();
    answers = new Map();
    coverage = new Map();
    truncated.clear();
    dataAsOf = state.asOf;
  }

  function neighbours(id, kinds) {
    const key = id + "\u0000" + (kinds ? kinds.join(",") : "");
    if (!answers.has(key)) {
      let path = `/api/nodes/${encodeURIComponent(id)}/neighbours?hops=1`;
      if (kinds) path += `&kinds=${encodeURIComponent(kinds.join(","))}`;
      if (state.asOf) path += `&as_of=${encodeURIComponent(state.asOf)}`;
      const promise = getJSON(path).then((answer) => {
        for (const n of answer.nodes) known.set(n.id, n);
        for (const e of answer.edges) knownEdges.set(e.id, e);
        if (answer.truncated) truncated.add(id);
        return answer;
      });
      promise.catch(() => answers.delete(key));  // a failed call is tried again next time
      answers.set(key, promise);
    }
    return answers.get(key);
  }

  /** JSON to the API by POST/PUT/DELETE; resolves to the Response, rejects with the API's detail. */
  async function send(method, path, body) {
    const init = {method, headers: {Accept: "application/json"}, credentials: "same-origin"};
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (!response.ok) {
      let detail = response.statusText;
      try {
        const answer = await response.json();
        if (answer && typeof answer.detail === "string") detail = answer.detail;
      } catch (e) { /* not JSON: the status text */ }
      const error = new Error(`${response.status}: ${detail}`);
      error.status = response.status;
      throw error;
    }
    return response;
  }

  /** The coverage of these sites (those not asked yet), in chunks the API takes. */
  async function loadCoverage(ids) {
    // the map and date of now: an answer that arrives after the date changed goes to the old map
    const target = coverage;
    const asOf = state.asOf;
    const missing = ids.filter((id) => !target.has(id));
    for (let i = 0; i < missing.length; i += 5000) {
      const body = {ids: missing.slice(i, i + 5000)};
      if (asOf) body.as_of = asOf;
      const answer = await (await send("POST", "/api/coverage/sites", body)).json();
      for (const [id, dims] of Object.entries(answer.sites)) target.set(id, dims);
    }
  }

  function filtersOnCoverage() {
    return [...state.cov.values()].some((v) => v.size);
  }

  // Colours alone do not hold the drawing back: it is drawn at once (sites in their kind's colour) and
  // recoloured when the values arrive (thousands of sites in many groups take seconds). The canvas
  // container's data-coverage is "loading" meanwhile. A coverage filter decides what is shown: it waits.
  let colouring = null;

  function colourLater(ids) {
    if (colouring !== null || ids.every((id) => coverage.has(id))) return;
    container.dataset.coverage = "loading";
    colouring = loadCoverage(ids).then(() => {
      colouring = null;
      container.dataset.coverage = "";
      rebuild();
    }, (e) => {
      colouring = null;
      container.dataset.coverage = "";
      setStatus(netStatus, `Could not load the coverage: ${e.message}`, true);
    });
  }

  // ------------------------------------------------------------------ the drawing
  const visIds = new Map();  // real id -> safe id
  const realIds = new Map(); // safe id -> real id
  let counter = 0;

  function visId(id, prefix) {
    if (!visIds.has(prefix + id)) {
      const safe = prefix + counter++;
      visIds.set(prefix + id, safe);
      realIds.set(safe, id);
    }
    return visIds.get(prefix + id);
  }

  const FORCE = {solver: "forceAtlas2Based",
                 // strong repulsion and long springs: a company's dozens of neighbours spread out far enough
                 // for their labels (up to 160 px wide, wrapped) not to overlap at the default zoom
                 forceAtlas2Based: {gravitationalConstant: -260, centralGravity: 0.004, springLength: 170,
                                    springConstant: 0.05, avoidOverlap: 1},
                 stabilization: {enabled: true, iterations: 400, fit: false}, minVelocity: 1.5};
  const nodes = new vis.DataSet();
  const edges = new vis.DataSet();
  const network = new vis.Network(container, {nodes, edges}, {
    autoResize: true,
    layout: {improvedLayout: false},  // placed by this script (sunflower rings), then relaxed by physics
    nodes: {
      size: 14,
      borderWidth: 1.5,
      font: {size: 16, color: "#202124", strokeWidth: 4, strokeColor: "#ffffff",
             face: "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"},
      widthConstraint: {maximum: 160},
    },
    edges: {
      width: 1.5,
      arrows: {to: {enabled: true, scaleFactor: 0.5}},
      smooth: {enabled: true, type: "continuous", roundness: 0.3},
      selectionWidth: 2,
    },
    physics: FORCE,
    interaction: {hover: true, multiselect: false, navigationButtons: false, keyboard: false},
  });

  let ready = false;
  let firstLayout = true;
  let hierarchical = false;  // whether the drawing is in the hierarchical layout now

  function setBusy() {
    ready = false;
    container.dataset.state = "busy";
  }

  // the node the view is framed on after the next layout: the focus, or the node just expanded
  let frameOn = focusId;

  function setReady() {
    firstLayout = false;
    ready = true;
    container.dataset.state = "ready";
  }

  /** Fit the view, but never so far out that labels cannot be read (75 %; then centred on frameOn)
   * nor so far in that a small view looks blown up (125 %). */
  function frame() {
    network.fit({animation: false, maxZoomLevel: 1.25});
    if (network.getScale() < 0.75) {
      const v = visId(frameOn, "n");
      const pos = network.getPositions([v])[v];
      if (pos) network.moveTo({position: pos, scale: 0.75, animation: false});
    }
  }

  // The layout runs a bounded number of steps (off screen, in chunks that keep the page responsive),
  // then physics stops: a star of hundreds of neighbours never settles by itself, and a simulation
  // that runs on keeps the page busy. Dragged nodes stay where they are put.
  network.on("stabilizationIterationsDone", () => {
    network.setOptions({physics: {enabled: false}});
    frame();
    setReady();
  });

  function layout(iterations) {
    const n = nodes.length;
    network.setOptions({edges: {smooth: {enabled: edges.length <= 300}},
                        interaction: {hideEdgesOnDrag: n > BIG, hideEdgesOnZoom: n > BIG}});
    if (state.layout === "hierarchical" || n > BIG) {
      // no physics: the hierarchy places the nodes by level, a big view keeps its rings
      network.setOptions({physics: {enabled: false}});
      network.redraw();
      frame();
      setReady();
      return;
    }
    // fewer steps and straight edges for big views: the steps cost about n log n each, and curved
    // edges cost a physics node each (measured: 1,500 nodes took 10.6 s to lay out with 400 steps)
    // a small view stays compact; a big one needs the strong repulsion of the options above
    const forces = n <= 30
      ? {gravitationalConstant: -90, centralGravity: 0.01, springLength: 110, springConstant: 0.08, avoidOverlap: 0.6}
      : FORCE.forceAtlas2Based;
    // the solver and edge curves named again: the hierarchical layout replaces them while it is on
    network.setOptions({physics: {enabled: true, solver: "forceAtlas2Based", forceAtlas2Based: forces},
                        edges: {smooth: {enabled: edges.length <= 300, type: "continuous", roundness: 0.3}}});
    network.stabilize(Math.max(60, Math.min(iterations, Math.round(120000 / Math.max(n, 1)))));
  }

  /** Why a node is not shown: "kind", "hand", "filter", or "" (shown). The focus is always shown. */
  function hiddenBy(n) {
    if (n.id === focusId) return "";
    if (state.hidden.has(n.kind)) return "kind";
    if (state.hiddenNodes.has(n.id)) return "hand";
    const props = n.properties || {};
    const value = (k) => (props[k] === null || props[k] === undefined ? "unknown" : String(props[k]));
    if (n.kind === "Site") {
      if (state.status.size && !state.status.has(value("status"))) return "filter";
      if (state.commodity.size && !state.commodity.has(value("commodity"))) return "filter";
      const cov = coverage.get(n.id);
      for (const [dim, values] of state.cov) {
        const v = cov && cov[dim] ? cov[dim].value : "unknown";
        if (values.size && !values.has(v)) return "filter";
      }
    }
    if (COUNTRY_KINDS.has(n.kind) && state.country.size && !state.country.has(value("country"))) return "filter";
    return "";
  }

  function nodeItem(n, why) {
    const style = kindStyle(n.kind);
    const isFocus = n.id === focusId;
    const isExpanded = state.expanded.includes(n.id);
    let fill = style.colour;
    if (state.colour && n.kind === "Site") {
      const cov = coverage.get(n.id);
      const value = cov && cov[state.colour] ? cov[state.colour].value : "unknown";
      fill = (styles.coverage && styles.coverage[value] && styles.coverage[value].colour) || "#9e9e9e";
    }
    const pin = state.pinned.get(n.id);
    const ring = isFocus || isExpanded ? "#111111" : pin ? "#6a1b9a" : fill;
    return {
      id: visId(n.id, "n"),
      nodeId: n.id,
      label: n.name || n.id,
      shape: style.shape,
      color: {background: fill, border: ring, highlight: {background: fill, border: "#000000"},
              hover: {background: fill, border: "#000000"}},
      borderWidth: isFocus ? 4 : isExpanded ? 3 : pin ? 3 : 1.5,
      shapeProperties: {borderDashes: pin && !isFocus && !isExpanded ? [4, 3] : false},
      size: isFocus ? 22 : 14,
      font: isFocus ? {size: 18} : undefined,
      hidden: why !== "",
      fixed: pin ? {x: true, y: true} : {x: false, y: false},
      opacity: 1,
    };
  }

  function edgeItem(e) {
    return {
      id: visId(e.id, "e"),
      edgeId: e.id,
      from: visId(e.source, "n"),
      to: visId(e.target, "n"),
      color: {color: edgeColour(e.kind), highlight: "#000000", hover: "#000000", opacity: 0.85},
    };
  }

  /** Levels of the ownership hierarchy: owners above what they own or operate (longest path from a
   * root over OWNS/OPERATES edges); other nodes one level below their highest neighbour. */
  function levels(inView, drawnEdges) {
    const down = new Map();
    const indeg = new Map([...inView.keys()].map((id) => [id, 0]));
    const others = [];
    for (const e of drawnEdges) {
      if (OWNERSHIP.has(e.kind)) {
        if (!down.has(e.source)) down.set(e.source, []);
        down.get(e.source).push(e.target);
        indeg.set(e.target, indeg.get(e.target) + 1);
      } else {
        others.push(e);
      }
    }
    const level = new Map();
    const queue = [...indeg].filter(([id, d]) => d === 0 && down.has(id)).map(([id]) => id);
    for (const id of queue) level.set(id, 0);
    for (let i = 0; i < queue.length; i++) {  // Kahn's order: a node's level after all its owners'
      const u = queue[i];
      for (const v of down.get(u) || []) {
        level.set(v, Math.max(level.get(v) || 0, level.get(u) + 1));
        indeg.set(v, indeg.get(v) - 1);
        if (indeg.get(v) === 0) queue.push(v);
      }
    }
    for (let pass = 0; pass < 3; pass++) {  // the rest: below their highest placed neighbour
      for (const e of others) {
        for (const [a, b] of [[e.source, e.target], [e.target, e.source]]) {
          if (!level.has(a) && level.has(b)) level.set(a, level.get(b) + 1);
        }
      }
    }
    for (const id of inView.keys()) if (!level.has(id)) level.set(id, 0);
    return level;
  }

  /** A place for the i-th node brought by a node at `at`: a sunflower (golden-angle) spiral, so
   * thousands of nodes spread evenly without a force layout. */
  function sunflower(at, i) {
    const r = 90 + 60 * Math.sqrt(i);
    const a = i * 2.399963;
    return {x: at.x + r * Math.cos(a), y: at.y + r * Math.sin(a)};
  }

  /** Bring the drawing to the state (one rebuild at a time, in the order asked). */
  let queue = Promise.resolve();
  function rebuild() {
    queue = queue.then(rebuildNow, rebuildNow);
    return queue;
  }

  let lastInView = new Map();

  /** Focus + its neighbours + those of each expanded node still in view, filtered. */
  async function rebuildNow() {
    setBusy();
    if (dataAsOf !== state.asOf) resetData();
    const inView = new Map([[focusId, null]]);  // node id -> the node whose expansion brought it
    const keptExpanded = [];
    let failed = null;
    for (const source of [focusId, ...state.expanded]) {
      if (!inView.has(source)) continue;  // its way in was collapsed: it leaves the view
      if (source !== focusId) keptExpanded.push(source);
      let answer;
      try {
        answer = await neighbours(source, state.expandKinds.get(source) || null);
      } catch (e) {
        failed = e;
        continue;
      }
      for (const n of answer.nodes) if (!inView.has(n.id)) inView.set(n.id, source);
    }
    state.expanded = keptExpanded;
    for (const id of [...state.expandKinds.keys()]) if (!keptExpanded.includes(id)) state.expandKinds.delete(id);
    if (state.selected !== null && !inView.has(state.selected)) state.selected = null;
    const sites = [...inView.keys()].filter((id) => (known.get(id) || {}).kind === "Site"
                                                    || (id === focusId && article.dataset.kind === "Site"));
    if (filtersOnCoverage()) {
      try {
        await loadCoverage(sites);
      } catch (e) {
        failed = failed || e;
      }
    } else if (state.colour) {
      colourLater(sites);
    }
    lastInView = inView;

    const before = nodes.length;
    const removeNodes = nodes.getIds().filter((v) => !inView.has(realIds.get(v)));
    nodes.remove(removeNodes);
    const positions = network.getPositions();
    const placedAround = new Map();  // parent -> how many nodes were placed around it now
    const at = (id) => positions[visId(id, "n")];
    const items = [];
    const why = new Map();
    for (const [id, parent] of inView) {
      const n = known.get(id) || {id, kind: article.dataset.kind, name: document.getElementById("entity-name").textContent};
      why.set(id, hiddenBy(n));
      const item = nodeItem(n, why.get(id));
      const pin = state.pinned.get(id);
      if (pin) {
        item.x = pin.x;
        item.y = pin.y;
      } else if (!nodes.get(item.id)) {
        const base = parent !== null ? at(parent) : null;
        const place = base ? sunflower(base, placedAround.get(parent) || 0) : (parent === null ? {x: 0, y: 0} : null);
        if (base) placedAround.set(parent, (placedAround.get(parent) || 0) + 1);
        if (place) {
          item.x = place.x;
          item.y = place.y;
          positions[item.id] = place;
        }
      }
      items.push(item);
    }
    const edgeItems = [];
    const drawnEdges = [];
    for (const e of knownEdges.values()) {
      if (inView.has(e.source) && inView.has(e.target)) {
        edgeItems.push(edgeItem(e));
        drawnEdges.push(e);
      }
    }
    const wantHierarchy = state.layout === "hierarchical";
    if (wantHierarchy) {
      const level = levels(inView, drawnEdges);
      for (const item of items) item.level = level.get(realIds.get(item.id));
    }
    if (wantHierarchy !== hierarchical) {
      hierarchical = wantHierarchy;
      network.setOptions({layout: {hierarchical: wantHierarchy
        ? {enabled: true, direction: "UD", sortMethod: "directed", levelSeparation: 170, nodeSpacing: 190,
           treeSpacing: 220, blockShifting: true, edgeMinimization: true, parentCentralization: true}
        : {enabled: false}}});
    }
    nodes.update(items);
    const wanted = new Set(edgeItems.map((e) => e.id));
    edges.remove(edges.getIds().filter((v) => !wanted.has(v)));
    edges.update(edgeItems);

    drawFilters(inView);
    report(inView, why, failed);
    drawLegend();
    writeHash();
    if (firstLayout || wantHierarchy) {
      layout(400);  // laid out before it is shown, then framed
    } else if (nodes.length === before && removeNodes.length === 0) {
      setReady();  // nothing added or removed: the layout stays as it is
    } else {
      layout(200);  // the new nodes find their place from beside the node that brought them
    }
    applyHighlight();
    return failed;
  }

  function report(inView, why, failed) {
    const shown = nodes.get({filter: (n) => !n.hidden});
    const shownIds = new Set(shown.map((n) => n.id));
    const shownEdges = edges.get({filter: (e) => shownIds.has(e.from) && shownIds.has(e.to)});
    const count = (reason) => [...why.values()].filter((w) => w === reason).length;
    container.dataset.nodes = String(shown.length);
    container.dataset.edges = String(shownEdges.length);
    let text = `${shown.length} node${shown.length === 1 ? "" : "s"} and ${shownEdges.length} edge${shownEdges.length === 1 ? "" : "s"} shown`;
    if (count("kind")) text += `, ${count("kind")} hidden by the kind filter`;
    if (count("filter")) text += `, ${count("filter")} by the other filters`;
    if (count("hand")) text += `, ${count("hand")} hidden one by one`;
    text += ". Click a node to expand it.";
    document.getElementById("show-hidden").hidden = state.hiddenNodes.size === 0;
    const cut = [...truncated].filter((id) => inView.has(id));
    if (cut.length) text += ` Some nodes have more neighbours than one answer holds; not all are drawn.`;
    if (failed) {
      setStatus(netStatus, `Could not load the view: ${failed.message}`, true);
    } else {
      setStatus(netStatus, text);
    }
  }

  // ------------------------------------------------------------------ filters
  function label(k) {
    return String(k).replace(/_/g, " ");
  }

  function drawKindFilter(inView) {
    const counts = new Map();
    for (const id of inView.keys()) {
      const n = known.get(id);
      const k = n ? n.kind : article.dataset.kind;
      counts.set(k, (counts.get(k) || 0) + 1);
    }
    for (const k of state.hidden) if (!counts.has(k)) counts.set(k, 0);
    const legend = filterBox.querySelector("legend");
    filterBox.replaceChildren(legend);
    for (const k of [...counts.keys()].sort()) {
      const box = el("input", {type: "checkbox", value: k, "data-kind": k});
      box.checked = !state.hidden.has(k);
      box.addEventListener("change", () => {
        if (box.checked) state.hidden.delete(k);
        else state.hidden.add(k);
        rebuild();
      });
      const swatch = el("span", {class: "swatch"});
      swatch.style.backgroundColor = kindStyle(k).colour;
      filterBox.append(el("label", {}, box, swatch, `${k} (${counts.get(k)})`));
    }
  }

  /** Checkboxes of the values `values` (value -> count): all ticked is no filter; unticking one
   * keeps the others (the set `chosen` then holds the values shown). */
  function valueBoxes(body, key, values, chosen, onChange) {
    for (const v of chosen) if (!values.has(v)) values.set(v, 0);
    const all = [...values.keys()].sort();
    for (const v of all) {
      const box = el("input", {type: "checkbox", value: v, "data-filter": key, "data-value": v});
      box.checked = chosen.size === 0 || chosen.has(v);
      box.addEventListener("change", () => {
        const next = new Set(chosen.size === 0 ? all : chosen);
        if (box.checked) next.add(v);
        else next.delete(v);
        if (!next.size) {  // an empty set means "no filter": the last value stays ticked (hide a kind instead)
          box.checked = true;
          return;
        }
        onChange(all.every((x) => next.has(x)) ? new Set() : next);
        rebuild();
      });
      const count = values.get(v);
      body.append(el("label", {}, box, count === null ? label(v) : `${label(v)} (${count})`));
    }
  }

  function drawValueFilter(key, kinds, property) {
    const box = document.getElementById(`${key}-filter`);
    const counts = new Map();
    for (const id of lastInView.keys()) {
      const n = known.get(id);
      if (!n || !kinds.has(n.kind)) continue;
      const p = n.properties || {};
      const v = p[property] === null || p[property] === undefined ? "unknown" : String(p[property]);
      counts.set(v, (counts.get(v) || 0) + 1);
    }
    const body = box.querySelector(".filter-body");
    body.replaceChildren();
    valueBoxes(body, key, counts, state[key], (next) => { state[key] = next; });
    const summary = box.querySelector("summary");
    summary.textContent = summary.textContent.replace(/ \(.*\)$/, "") + (state[key].size ? ` (${state[key].size} of ${counts.size})` : "");
    box.classList.toggle("active", state[key].size > 0);
  }

  function drawCoverageFilter() {
    const box = document.getElementById("coverage-filter");
    const body = box.querySelector(".filter-body");
    body.replaceChildren();
    for (const dim of DIMENSIONS) {
      const values = new Map(COVERAGE_VALUES.map((v) => [v, null]));
      if (dim === "efa") values.set("not_applicable", null);
      const chosen = state.cov.get(dim) || new Set();
      const row = el("div", {class: "coverage-row", "data-dimension": dim}, el("span", {class: "dimension"}, label(dim)));
      valueBoxes(row, `cov-${dim}`, values, chosen, (next) => {
        if (next.size) state.cov.set(dim, next);
        else state.cov.delete(dim);
      });
      body.append(row);
    }
    const active = [...state.cov.values()].filter((v) => v.size).length;
    box.querySelector("summary").textContent = "Coverage" + (active ? ` (${active} dimension${active === 1 ? "" : "s"})` : "");
    box.classList.toggle("active", active > 0);
  }

  function drawFilters(inView) {
    drawKindFilter(inView);
    drawValueFilter("status", new Set(["Site"]), "status");
    drawValueFilter("country", COUNTRY_KINDS, "country");
    drawValueFilter("commodity", new Set(["Site"]), "commodity");
    drawCoverageFilter();
    document.getElementById("as-of").value = state.asOf;
    document.getElementById("colour-by").value = state.colour;
    document.getElementById("layout").value = state.layout;
  }

  function drawLegend() {
    const legend = document.getElementById("colour-legend");
    legend.replaceChildren();
    legend.hidden = !state.colour;
    if (!state.colour) return;
    legend.append(el("li", {class: "legend-title"}, `Sites by ${label(state.colour)}:`));
    for (const [value, style] of Object.entries(styles.coverage || {})) {
      const swatch = el("span", {class: "swatch"});
      swatch.style.backgroundColor = style.colour;
      legend.append(el("li", {"data-value": value}, swatch, style.label));
    }
  }

  (() => {
    const select = document.getElementById("colour-by");
    for (const dim of DIMENSIONS) select.append(el("option", {value: dim}, label(dim)));
    select.addEventListener("change", () => { state.colour = select.value; rebuild(); });
    const asOf = document.getElementById("as-of");
    asOf.addEventListener("change", () => {
      state.asOf = /^\d{4}-\d{2}-\d{2}$/.test(asOf.value) ? asOf.value : "";
      rebuild();
    });
    const layoutSelect = document.getElementById("layout");
    layoutSelect.addEventListener("change", () => {
      state.layout = layoutSelect.value === "hierarchical" ? "hierarchical" : "force";
      firstLayout = true;
      rebuild();
    });
  })();

  // ------------------------------------------------------------------ highlight of a node's neighbours
  let highlighted = null;

  /** The selected node and its neighbours at full strength, the rest faded. */
  function applyHighlight() {
    const centre = highlighted !== null ? visIds.get("n" + highlighted) : null;
    const item = centre ? nodes.get(centre) : null;
    if (centre === undefined || (centre !== null && (!item || item.hidden))) highlighted = null;  // gone or hidden
    const near = highlighted !== null
      ? new Set([centre, ...network.getConnectedNodes(centre).filter((v) => !nodes.get(v).hidden)]) : null;
    const updates = [];
    for (const item of nodes.get()) {
      const opacity = near === null || near.has(item.id) ? 1 : 0.2;
      if (item.opacity !== opacity) updates.push({id: item.id, opacity});
    }
    if (updates.length) nodes.update(updates);
    container.dataset.highlight = highlighted === null ? "" : String(near.size - 1);
  }

  // ------------------------------------------------------------------ details panel
  let detailsFor = null;

  function button(text, cls, onClick, attrs) {
    const b = el("button", Object.assign({type: "button", class: cls}, attrs || {}), text);
    b.addEventListener("click", onClick);
    return b;
  }

  async function showDetails(id) {
    detailsFor = id;
    const n = known.get(id);
    detailsHint.hidden = true;
    detailsTitle.textContent = n ? n.name || n.id : id;
    const actions = el("div", {class: "details-actions"});
    const again = () => rebuild().then(() => showDetails(id));
    if (id !== focusId) {
      actions.append(el("a", {href: nodeUrl(id), class: "open-entity"}, "Open its page"));
      if (state.expanded.includes(id)) {
        actions.append(button("Collapse", "collapse", () => {
          state.expanded = state.expanded.filter((x) => x !== id);
          state.expandKinds.delete(id);
          again();
        }));
      }
      actions.append(button("Hide", "hide-node", () => {
        state.hiddenNodes.add(id);
        if (highlighted === id) highlighted = null;
        again();
      }));
    }
    const pinned = state.pinned.has(id);
    actions.append(button(pinned ? "Unpin" : "Pin here", "pin-node", () => {
      if (pinned) {
        state.pinned.delete(id);
      } else {
        const v = visIds.get("n" + id);
        const pos = v ? network.getPositions([v])[v] : null;
        if (pos) state.pinned.set(id, {x: pos.x, y: pos.y});
      }
      again();
    }));
    const list = el("dl");
    const add = (term, value) => list.append(el("dt", {}, term), el("dd", {}, value));
    add("id", id);
    const props = (n && n.properties) || {};
    for (const [k, v] of Object.entries(props)) {
      if (k === "value_sources" || k === "origins") continue;
      add(k, valueText(v));
    }
    // the files and rows the record came from: long lists, after the facts
    if (props.origins) add("origins", valueText(props.origins));
    const expandBox = el("div", {class: "details-actions expand-kinds"});
    detailsBody.replaceChildren(n ? kindBadge(n.kind) : "", actions, expandBox, list);
    // the kinds among its neighbours, to expand one kind only
    if (id !== focusId) neighbours(id, null).then((answer) => {
      if (detailsFor !== id) return;
      const counts = new Map();
      for (const m of answer.nodes) if (m.id !== id) counts.set(m.kind, (counts.get(m.kind) || 0) + 1);
      if (!counts.size) return;
      expandBox.append(el("span", {class: "hint"}, "Expand:"));
      for (const k of [...counts.keys()].sort()) {
        expandBox.append(button(`${k} (${counts.get(k)})`, "expand-kind", () => {
          if (!state.expanded.includes(id)) state.expanded.push(id);
          const had = state.expandKinds.get(id);
          state.expandKinds.set(id, had ? unique([...had, k]).sort() : [k]);
          frameOn = id;
          again();
        }, {"data-kind": k}));
      }
      expandBox.append(button("all", "expand-kind", () => {
        if (!state.expanded.includes(id)) state.expanded.push(id);
        state.expandKinds.delete(id);
        frameOn = id;
        again();
      }, {"data-kind": ""}));
    }).catch(() => {});
    // a site's coverage, from its entity answer (sources too)
    let answer;
    try {
      answer = await getJSON(`/api/nodes/${encodeURIComponent(id)}` + (state.asOf ? `?as_of=${state.asOf}` : ""));
    } catch (e) {
      if (detailsFor === id) detailsBody.append(el("p", {class: "status error"}, `Could not load: ${e.message}`));
      return;
    }
    if (detailsFor !== id) return;
    if (answer.coverage) {
      const cov = el("dl", {class: "coverage"});
      for (const [dim, c] of Object.entries(answer.coverage)) {
        cov.append(el("dt", {}, label(dim)), coverageValue("dd", c.value));
      }
      detailsBody.append(el("h4", {}, `Coverage${answer.coverage_as_of ? ` (as of ${answer.coverage_as_of})` : ""}`), cov);
    }
    if (answer.sources && answer.sources.length) {
      detailsBody.append(el("h4", {}, "Sources"),
        el("ul", {}, ...answer.sources.map((s) => el("li", {}, s.title || s.id))));
    }
  }

  function showEdge(edgeId) {
    const e = knownEdges.get(edgeId);
    if (!e) return;
    detailsFor = null;
    detailsHint.hidden = true;
    const from = known.get(e.source);
    const to = known.get(e.target);
    detailsTitle.textContent = e.kind;
    const list = el("dl");
    const add = (term, value) => list.append(el("dt", {}, term), el("dd", {}, value));
    add("from", from ? from.name : e.source);
    add("to", to ? to.name : e.target);
    for (const [k, v] of Object.entries(e.properties || {})) {
      if (k === "value_sources") continue;
      add(k, valueText(v));
    }
    detailsBody.replaceChildren(list);
  }

  network.on("click", (params) => {
    if (params.nodes.length) {
      const id = realIds.get(params.nodes[0]);
      state.selected = id;
      highlighted = id;
      if (id !== focusId && !state.expanded.includes(id)) {
        state.expanded.push(id);
        frameOn = id;
      }
      rebuild().then(() => showDetails(id));
    } else if (params.edges.length) {
      showEdge(realIds.get(params.edges[0]));
    } else if (highlighted !== null) {
      highlighted = null;
      applyHighlight();
    }
  });

  network.on("dragEnd", (params) => {
    // a pinned node moved by hand stays pinned where it was put
    let moved = false;
    for (const v of params.nodes) {
      const id = realIds.get(v);
      if (state.pinned.has(id)) {
        const pos = network.getPositions([v])[v];
        state.pinned.set(id, {x: pos.x, y: pos.y});
        moved = true;
      }
    }
    if (moved) writeHash();
  });

  document.getElementById("fit-view").addEventListener("click", () => network.fit({animation: false}));

  document.getElementById("show-hidden").addEventListener("click", () => {
    state.hiddenNodes = new Set();
    rebuild();
  });

  document.getElementById("reset-view").addEventListener("click", () => {
    const asOf = state.asOf;
    state = emptyState();
    state.asOf = "";
    if (asOf) resetData();
    detailsFor = null;
    highlighted = null;
    detailsTitle.textContent = "Details";
    detailsHint.hidden = false;
    detailsBody.replaceChildren();
    firstLayout = true;
    frameOn = focusId;
    rebuild();
  });

  window.addEventListener("hashchange", () => {
    // a pasted link on the same page: take its state
    const layoutBefore = state.layout;
    state = parseHash(location.hash.replace(/^#/, ""));
    if (state.layout !== layoutBefore) firstLayout = true;
    highlighted = state.selected;
    rebuild().then(() => { if (state.selected !== null) showDetails(state.selected); });
  });

  // ------------------------------------------------------------------ named views and downloads
  const viewList = document.getElementById("view-list");

  async function loadViews(selected) {
    let answer;
    try {
      answer = await getJSON("/api/views");
    } catch (e) {
      setStatus(viewStatus, `Could not list the views: ${e.message}`, true);
      return;
    }
    if (!answer.enabled) {  // off on this server (serve bolt://)
      document.getElementById("view-save").hidden = true;
      document.querySelector(".view-open").hidden = true;
      setStatus(viewStatus, "Named views are off on this server (they are kept beside a snapshot folder).");
      return;
    }
    viewList.replaceChildren(el("option", {value: ""}, answer.views.length ? "— choose —" : "none saved yet"));
    for (const v of answer.views) viewList.append(el("option", {value: v.name}, v.name));
    if (selected) viewList.value = selected;
  }

  document.getElementById("view-save").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = document.getElementById("view-name").value.trim();
    if (!name) {
      setStatus(viewStatus, "Give the view a name.", true);
      return;
    }
    try {
      const response = await send("PUT", `/api/views/${encodeURIComponent(name)}`, viewOf(state));
      setStatus(viewStatus, `${response.status === 201 ? "Saved" : "Replaced"} the view “${name}”.`);
      await loadViews(name);
    } catch (e) {
      setStatus(viewStatus, `Could not save: ${e.message}`, true);
    }
  });

  document.getElementById("view-open").addEventListener("click", async () => {
    const name = viewList.value;
    if (!name) return;
    try {
      const doc = await getJSON(`/api/views/${encodeURIComponent(name)}`);
      const url = urlOfView(doc.state);
      if (url.split("#")[0] === location.pathname) {
        location.hash = url.includes("#") ? url.slice(url.indexOf("#")) : "";
        if (!url.includes("#")) window.dispatchEvent(new HashChangeEvent("hashchange"));
      } else {
        location.assign(url);
      }
    } catch (e) {
      setStatus(viewStatus, `Could not open: ${e.message}`, true);
    }
  });

  document.getElementById("view-delete").addEventListener("click", async () => {
    const name = viewList.value;
    if (!name) return;
    try {
      await send("DELETE", `/api/views/${encodeURIComponent(name)}`);
      setStatus(viewStatus, `Deleted the view “${name}”.`);
      await loadViews();
    } catch (e) {
      setStatus(viewStatus, `Could not delete: ${e.message}`, true);
    }
  });

  /** The real ids of the nodes shown, and of the edges between them. */
  function shown() {
    const items = nodes.get({filter: (n) => !n.hidden});
    const ids = new Set(items.map((n) => n.id));
    const edgeIds = edges.get({filter: (e) => ids.has(e.from) && ids.has(e.to)}).map((e) => realIds.get(e.id));
    return {nodes: items.map((n) => realIds.get(n.id)), edges: edgeIds};
  }

  function download(href, filename) {
    const a = el("a", {href, download: filename, class: "visually-hidden"});
    document.body.append(a);
    a.click();
    a.remove();
  }

  for (const b of document.querySelectorAll(".view-export button[data-format]")) {
    b.addEventListener("click", async () => {
      const body = Object.assign({focus: focusId}, shown());
      if (state.asOf) body.as_of = state.asOf;
      try {
        const response = await send("POST", `/api/views/export?format=${b.dataset.format}`, body);
        const m = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
        const url = URL.createObjectURL(await response.blob());
        download(url, m ? m[1] : `view.${b.dataset.format}`);
        setTimeout(() => URL.revokeObjectURL(url), 10000);
        setStatus(viewStatus, `Downloaded the view as ${b.textContent}.`);
      } catch (e) {
        setStatus(viewStatus, `Could not export: ${e.message}`, true);
      }
    });
  }

  document.getElementById("export-png").addEventListener("click", () => {
    // the drawing as it is on screen, on white (the canvas itself is transparent)
    const canvas = container.querySelector("canvas");
    const out = document.createElement("canvas");
    out.width = canvas.width;
    out.height = canvas.height;
    const ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(canvas, 0, 0);
    const stem = (focusId.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "").slice(0, 60)) || "view";
    download(out.toDataURL("image/png"), `view-${stem}.png`);
    setStatus(viewStatus, "Downloaded the view as PNG.");
  });

  window.campaignView = {
    network, nodes, edges,
    visId: (id) => visIds.get("n" + id) || null,
    nodeId: (safe) => realIds.get(safe),
    state: () => ({expanded: [...state.expanded], hidden: [...state.hidden], selected: state.selected}),
    view: () => viewOf(state),
    shown: () => shown().nodes,
    get ready() { return ready; },
  };

  highlighted = state.selected;
  loadViews();
  rebuild().then(() => { if (state.selected !== null) showDetails(state.selected); });
})();
