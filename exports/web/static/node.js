/* The entity page (templates/node.html.j2): the node's facts from /api/nodes/{id}: its properties
 * with their sources, its sources and (for a site) its coverage. The network view of the page is
 * static/network.js.
 *
 * The article gets data-facts="loaded" once the properties, sources and coverage are written.
 */
"use strict";

(() => {
  const {el, getJSON, valueText, coverageValue, setStatus} = CG;
  const article = document.getElementById("entity");
  const focusId = article.dataset.nodeId;

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

  loadFacts();
})();
