/* The search page (templates/search.html.j2): asks /api/search for the text in the URL (?q=&kind=)
 * and lists the results by kind, each kind in the order of its best result and the results of a
 * kind in the order the API gives (as `campaign-graph find` ranks them). */
"use strict";

(() => {
  const {el, nodeUrl, getJSON, kindBadge, setStatus} = CG;
  const section = document.getElementById("search");
  const status = document.getElementById("search-status");
  const results = document.getElementById("results");
  const q = section.dataset.q || "";
  const kind = section.dataset.kind || "";
  const input = document.getElementById("q");
  if (!q) {
    input.focus();
    return;
  }

  async function run() {
    setStatus(status, "Searching…");
    const params = new URLSearchParams({q});
    if (kind) params.set("kind", kind);
    let answer;
    try {
      answer = await getJSON("/api/search?" + params.toString());
    } catch (e) {
      setStatus(status, "The search failed: " + e.message, true);
      return;
    }
    const rows = answer.results || [];
    if (!rows.length) {
      setStatus(status, "Nothing found. Try another spelling, an alias, or an identifier.");
      return;
    }
    const total = typeof answer.total === "number" ? answer.total : rows.length;
    setStatus(status, total > rows.length
      ? `${total} results; the best ${rows.length} are listed.`
      : `${rows.length} result${rows.length === 1 ? "" : "s"}.`);
    const byKind = new Map();
    for (const r of rows) {
      if (!byKind.has(r.kind)) byKind.set(r.kind, []);
      byKind.get(r.kind).push(r);
    }
    for (const [k, list] of byKind) {
      const items = list.map((r) => el("li", {},
        el("a", {href: nodeUrl(r.id), class: "result-link", "data-id": r.id}, r.name || r.id),
        el("span", {class: "how"}, r.how ? `found by ${r.how.replace(/_/g, " ")}` : null),
        el("span", {class: "rid"}, r.id)));
      results.append(el("section", {class: "results-kind", "data-kind": k},
        el("h2", {}, kindBadge(k), el("span", {class: "count"}, `${list.length} result${list.length === 1 ? "" : "s"}`)),
        el("ol", {}, ...items)));
    }
  }

  run();
})();
