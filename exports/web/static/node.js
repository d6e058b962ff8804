/* The entity page (templates/node.html.j2): the node's facts from /api/nodes/{id}, and the network
 * view of its neighbours drawn with the vendored vis-network (static/vendor/vis-network).
 *
 * The view: the focus node (the page's node) and its neighbours, plus the neighbours of every node
 * the researcher expanded (click a node: its details show in the panel and its neighbours are
 * added, from /api/nodes/{id}/neighbours?hops=1). Nodes of a kind can be hidden. The view's state
 * lives in the URL's fragment, so a link reopens the same view:
 *   #expand=<id>&expand=<id>...   the expanded nodes, in the order they were expanded
 *   &hide=<kind>&hide=<kind>...   kinds hidden by the filter
 *   &select=<id>                  the node whose details are shown
 * (URLSearchParams encodes ids, so any id survives the round trip.)
 *
 * vis-network keys its items by id in plain objects, so it gets safe ids (n0, n1... e0, e1...) and
 * this script keeps the real ids in Maps: an id such as "__proto__" draws like any other.
 *
 * A hook for tools and tests, window.campaignView: network, nodes, edges (the vis DataSets; a node
 * item keeps its real id in nodeId), visId(id) (the safe id of a real id), nodeId(visId), state()
 * (the current view state), ready (true while the layout is settled; the canvas container's
 * data-state is "ready" then too, and its data-nodes / data-edges count the visible items).
 * The article gets data-facts="loaded" once the properties, sources and coverage are written.
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

  // ------------------------------------------------------------------ view state in the URL
  function readHash() {
    const p = new URLSearchParams(location.hash.replace(/^#/, ""));
    return {
      expanded: unique(p.getAll("expand").filter((id) => id !== focusId)),
      hidden: new Set(p.getAll("hide")),
      selected: p.get("select"),
    };
  }

  function writeHash() {
    const p = new URLSearchParams();
    for (const id of state.expanded) p.append("expand", id);
    for (const k of [...state.hidden].sort()) p.append("hide", k);
    if (state.selected !== null) p.set("select", state.selected);
    const text = p.toString();
    const url = location.pathname + location.search + (text ? "#" + text : "");
    if (url !== location.pathname + location.search + location.hash) history.replaceState(null, "", url);
  }

  function unique(list) {
    return [...new Set(list)];
  }

  const state = readHash();

  // ------------------------------------------------------------------ data from the API
  const known = new Map();       // real node id -> {id, kind, name, properties}
  const knownEdges = new Map();  // real edge id -> {id, source, target, kind, properties}
  const answers = new Map();     // real node id -> Promise of its neighbours answer
  const truncated = new Set();   // nodes whose neighbours answer was cut short

  function neighbours(id) {
    if (!answers.has(id)) {
      const promise = getJSON(`/api/nodes/${encodeURIComponent(id)}/neighbours?hops=1`).then((answer) => {
        for (const n of answer.nodes) known.set(n.id, n);
        for (const e of answer.edges) knownEdges.set(e.id, e);
        if (answer.truncated) truncated.add(id);
        return answer;
      });
      promise.catch(() => answers.delete(id));  // a failed call is tried again next time
      answers.set(id, promise);
    }
    return answers.get(id);
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

  const nodes = new vis.DataSet();
  const edges = new vis.DataSet();
  const network = new vis.Network(container, {nodes, edges}, {
    autoResize: true,
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
    physics: {
      solver: "forceAtlas2Based",
      // strong repulsion and long springs: a company's dozens of neighbours spread out far enough for
      // their labels (up to 160 px wide, wrapped) not to overlap at the default zoom
      forceAtlas2Based: {gravitationalConstant: -260, centralGravity: 0.004, springLength: 170,
                         springConstant: 0.05, avoidOverlap: 1},
      stabilization: {enabled: true, iterations: 400, fit: false},
      minVelocity: 1.5,
    },
    interaction: {hover: true, multiselect: false, navigationButtons: false, keyboard: false},
  });

  let ready = false;
  let firstLayout = true;

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
    // fewer steps and straight edges for big views: the steps cost about n log n each, and curved
    // edges cost a physics node each (measured: 1,500 nodes took 10.6 s to lay out with 400 steps)
    const n = nodes.length;
    // a small view stays compact; a big one needs the strong repulsion of the options above
    const forces = n <= 30
      ? {gravitationalConstant: -90, centralGravity: 0.01, springLength: 110, springConstant: 0.08, avoidOverlap: 0.6}
      : {gravitationalConstant: -260, centralGravity: 0.004, springLength: 170, springConstant: 0.05, avoidOverlap: 1};
    network.setOptions({physics: {enabled: true, forceAtlas2Based: forces},
                        edges: {smooth: {enabled: edges.length <= 300}}});
    network.stabilize(Math.max(60, Math.min(iterations, Math.round(120000 / Math.max(n, 1)))));
  }

  function nodeItem(n) {
    const style = kindStyle(n.kind);
    const isFocus = n.id === focusId;
    const isExpanded = state.expanded.includes(n.id);
    return {
      id: visId(n.id, "n"),
      nodeId: n.id,
      label: n.name || n.id,
      shape: style.shape,
      color: {background: style.colour, border: isFocus || isExpanded ? "#111111" : style.colour,
              highlight: {background: style.colour, border: "#000000"},
              hover: {background: style.colour, border: "#000000"}},
      borderWidth: isFocus ? 4 : isExpanded ? 3 : 1.5,
      size: isFocus ? 22 : 14,
      font: isFocus ? {size: 18} : undefined,
      hidden: !isFocus && state.hidden.has(n.kind),
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

  /** Bring the drawing to the state (one rebuild at a time, in the order asked). */
  let queue = Promise.resolve();
  function rebuild() {
    queue = queue.then(rebuildNow, rebuildNow);
    return queue;
  }

  /** Focus + its neighbours + those of each expanded node still in view. */
  async function rebuildNow() {
    setBusy();
    const inView = new Map([[focusId, null]]);  // node id -> the node whose expansion brought it
    const keptExpanded = [];
    let failed = null;
    for (const source of [focusId, ...state.expanded]) {
      if (!inView.has(source)) continue;  // its way in was collapsed: it leaves the view
      if (source !== focusId) keptExpanded.push(source);
      let answer;
      try {
        answer = await neighbours(source);
      } catch (e) {
        failed = e;
        continue;
      }
      for (const n of answer.nodes) if (!inView.has(n.id)) inView.set(n.id, source);
    }
    state.expanded = keptExpanded;
    if (state.selected !== null && !inView.has(state.selected)) state.selected = null;

    const before = nodes.length;
    const removeNodes = nodes.getIds().filter((v) => !inView.has(realIds.get(v)));
    nodes.remove(removeNodes);
    const positions = network.getPositions();
    const items = [];
    for (const [id, parent] of inView) {
      const n = known.get(id) || {id, kind: article.dataset.kind, name: document.getElementById("entity-name").textContent};
      const item = nodeItem(n);
      if (!nodes.get(item.id)) {
        const at = parent !== null ? positions[visId(parent, "n")] : null;
        if (at) {
          item.x = at.x + (Math.random() - 0.5) * 120;
          item.y = at.y + (Math.random() - 0.5) * 120;
        }
      }
      items.push(item);
    }
    nodes.update(items);
    const edgeItems = [];
    for (const e of knownEdges.values()) {
      if (inView.has(e.source) && inView.has(e.target)) edgeItems.push(edgeItem(e));
    }
    const wanted = new Set(edgeItems.map((e) => e.id));
    edges.remove(edges.getIds().filter((v) => !wanted.has(v)));
    edges.update(edgeItems);

    drawFilter(inView);
    report(inView, failed);
    writeHash();
    if (firstLayout) {
      layout(400);  // laid out before it is shown, then framed
    } else if (nodes.length === before && removeNodes.length === 0) {
      setReady();  // nothing added or removed: the layout stays as it is
    } else {
      layout(200);  // the new nodes find their place from beside the node that brought them
    }
    return failed;
  }

  function report(inView, failed) {
    const shown = nodes.get({filter: (n) => !n.hidden});
    const shownIds = new Set(shown.map((n) => n.id));
    const shownEdges = edges.get({filter: (e) => shownIds.has(e.from) && shownIds.has(e.to)});
    const hiddenCount = inView.size - shown.length;
    container.dataset.nodes = String(shown.length);
    container.dataset.edges = String(shownEdges.length);
    let text = `${shown.length} node${shown.length === 1 ? "" : "s"} and ${shownEdges.length} edge${shownEdges.length === 1 ? "" : "s"} shown`;
    if (hiddenCount) text += `, ${hiddenCount} hidden by the kind filter`;
    text += ". Click a node to expand it.";
    const cut = [...truncated].filter((id) => inView.has(id));
    if (cut.length) text += ` Some nodes have more neighbours than one answer holds; not all are drawn.`;
    if (failed) {
      setStatus(netStatus, `Could not load neighbours: ${failed.message}`, true);
    } else {
      setStatus(netStatus, text);
    }
  }

  // ------------------------------------------------------------------ kind filter
  function drawFilter(inView) {
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

  // ------------------------------------------------------------------ details panel
  let detailsFor = null;

  async function showDetails(id) {
    detailsFor = id;
    const n = known.get(id);
    detailsHint.hidden = true;
    detailsTitle.textContent = n ? n.name || n.id : id;
    const actions = el("div", {class: "details-actions"});
    if (id !== focusId) {
      actions.append(el("a", {href: nodeUrl(id), class: "open-entity"}, "Open its page"));
      if (state.expanded.includes(id)) {
        const collapse = el("button", {type: "button", class: "collapse"}, "Collapse");
        collapse.addEventListener("click", () => {
          state.expanded = state.expanded.filter((x) => x !== id);
          rebuild().then(() => showDetails(id));
        });
        actions.append(collapse);
      }
    }
    const list = el("dl");
    const add = (term, value) => list.append(el("dt", {}, term), el("dd", {}, value));
    add("id", id);
    const props = (n && n.properties) || {};
    for (const [k, v] of Object.entries(props)) {
      if (k === "value_sources") continue;
      add(k, valueText(v));
    }
    detailsBody.replaceChildren(n ? kindBadge(n.kind) : "", actions, list);
    // a site's coverage, from its entity answer (sources too)
    let answer;
    try {
      answer = await getJSON(`/api/nodes/${encodeURIComponent(id)}`);
    } catch (e) {
      if (detailsFor === id) detailsBody.append(el("p", {class: "status error"}, `Could not load: ${e.message}`));
      return;
    }
    if (detailsFor !== id) return;
    if (answer.coverage) {
      const cov = el("dl", {class: "coverage"});
      for (const [dim, c] of Object.entries(answer.coverage)) {
        cov.append(el("dt", {}, dim.replace(/_/g, " ")), coverageValue("dd", c.value));
      }
      detailsBody.append(el("h4", {}, "Coverage"), cov);
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
      if (id !== focusId && !state.expanded.includes(id)) {
        state.expanded.push(id);
        frameOn = id;
      }
      rebuild().then(() => showDetails(id));
    } else if (params.edges.length) {
      showEdge(realIds.get(params.edges[0]));
    }
  });

  document.getElementById("fit-view").addEventListener("click", () => network.fit({animation: false}));

  document.getElementById("reset-view").addEventListener("click", () => {
    state.expanded = [];
    state.hidden = new Set();
    state.selected = null;
    detailsFor = null;
    detailsTitle.textContent = "Details";
    detailsHint.hidden = false;
    detailsBody.replaceChildren();
    firstLayout = true;
    frameOn = focusId;
    rebuild();
  });

  window.addEventListener("hashchange", () => {
    // a pasted link on the same page: take its state
    const next = readHash();
    state.expanded = next.expanded;
    state.hidden = next.hidden;
    state.selected = next.selected;
    rebuild().then(() => { if (state.selected !== null) showDetails(state.selected); });
  });

  // ------------------------------------------------------------------ the entity's facts
  const propertySources = (() => {
    try {
      return JSON.parse(article.dataset.propertySources || "{}");
    } catch (e) {
      return {};
    }
  })();

  async function loadFacts() {
    const status = document.getElementById("entity-status");
    let answer;
    try {
      answer = await getJSON(`/api/nodes/${encodeURIComponent(focusId)}`);
    } catch (e) {
      setStatus(status, "Could not load the properties: " + e.message, true);
      return;
    }
    const titles = new Map((answer.sources || []).map((s) => [s.id, s.title || s.id]));
    const props = Object.entries(answer.properties || {}).filter(([k]) => k !== "value_sources");
    const propBody = document.querySelector("#properties-table tbody");
    for (const [k, v] of props) {
      // source ids (listed with their titles under Sources); the titles also as the cell's tooltip
      const ids = propertySources[k] || [];
      propBody.append(el("tr", {"data-property": k},
        el("td", {class: "prop"}, k), el("td", {}, valueText(v)),
        el("td", {class: "source-ids", title: ids.map((s) => titles.get(s) || s).join("; ") || null},
          ids.join(", ") || "unknown")));
    }
    if (props.length) {
      document.getElementById("properties-table").hidden = false;
      status.textContent = "";
    } else {
      status.textContent = "No properties recorded.";
    }
    const srcBody = document.querySelector("#sources-table tbody");
    for (const s of answer.sources || []) {
      srcBody.append(el("tr", {"data-source": s.id},
        el("td", {}, s.id), el("td", {}, s.title || "unknown"), el("td", {}, s.publisher || "unknown"),
        el("td", {}, s.licence || "unknown")));
    }
    document.getElementById("sources-table").hidden = !(answer.sources || []).length;
    if (answer.coverage) {
      const covBody = document.querySelector("#coverage-table tbody");
      for (const [dim, c] of Object.entries(answer.coverage)) {
        covBody.append(el("tr", {"data-dimension": dim},
          el("td", {class: "dimension"}, dim.replace(/_/g, " ")), coverageValue("td", c.value),
          el("td", {}, c.reason === null || c.reason === undefined ? "" : String(c.reason))));
      }
      if (answer.coverage_as_of) {
        document.getElementById("coverage-as-of").textContent = `As of ${answer.coverage_as_of}.`;
      }
      document.getElementById("coverage-section").hidden = false;
    }
    article.dataset.facts = "loaded";
  }

  window.campaignView = {
    network, nodes, edges,
    visId: (id) => visIds.get("n" + id) || null,
    nodeId: (safe) => realIds.get(safe),
    state: () => ({expanded: [...state.expanded], hidden: [...state.hidden], selected: state.selected}),
    get ready() { return ready; },
  };

  loadFacts();
  rebuild().then(() => { if (state.selected !== null) showDetails(state.selected); });
})();
