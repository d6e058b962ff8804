/* The coverage table of a group (/coverage?company=…, templates/coverage.html.j2).
 *
 * The rows come from /api/coverage.json with the filters as query parameters: the server
 * applies them (status and require are the coverage query's own options, the rest pick its
 * rows), so the table and the CSV/XLSX downloads (/api/coverage.csv|xlsx with the same
 * parameters) always hold the same rows. Sorting is the page's only own work: it orders the
 * rows shown, by the clicked column. The filters live in the URL, so a link reopens the view.
 */
"use strict";

(() => {
  const root = document.getElementById("group");
  const table = document.getElementById("coverage-rows");
  if (!root || !table || !root.dataset.company) return;
  const {el, nodeUrl, getJSON, coverageValue, valueText, setStatus} = CG;

  const dims = root.dataset.dimensions.split(",");
  const allStatuses = root.dataset.statuses.split(",");
  const defaultStatuses = root.dataset.defaultStatuses.split(",");
  const status = document.getElementById("table-status");
  const countrySelect = document.getElementById("filter-country");
  const commoditySelect = document.getElementById("filter-commodity");
  const textInput = document.getElementById("filter-q");
  /** The coverage values a dimension filter offers (value sent -> label). */
  const VALUE_CHOICES = [
    ["", "any"], ["covered", "covered"], ["not_covered", "not covered"], ["unknown", "unknown"],
    ["not_covered,unknown", "not covered or unknown"], ["not_applicable", "not applicable"],
  ];
  const COLUMNS = [
    {key: "site", label: "Site"}, {key: "operator", label: "Operator"}, {key: "country", label: "Country"},
    {key: "commodity", label: "Commodity"}, {key: "status", label: "Status"},
    {key: "workforce", label: "Workers", numeric: true},
    ...dims.map((d) => ({key: d, label: d.replace(/_/g, " "), dimension: true})),
    {key: "uncovered", label: "Uncovered"},
  ];

  const params = new URLSearchParams(window.location.search);
  let rows = [];
  let sort = {key: params.get("sort") || "", desc: params.get("desc") === "1"};

  // --- the filter controls, set from the URL ---
  const chosenStatuses = new Set((params.get("status") || defaultStatuses.join(",")).split(",").filter(Boolean));
  if (params.get("status") === "all") allStatuses.forEach((s) => chosenStatuses.add(s));
  const statusBox = document.getElementById("status-choices");
  for (const s of allStatuses) {
    const id = "status-" + s;
    const box = el("input", {type: "checkbox", id, value: s, name: "status"});
    box.checked = chosenStatuses.has(s);
    statusBox.append(el("label", {for: id}, box, s));
  }
  const dimBox = document.getElementById("dimension-choices");
  for (const d of dims) {
    const select = el("select", {id: "value-" + d, name: d, "data-dimension": d});
    for (const [value, label] of VALUE_CHOICES) {
      if (value === "not_applicable" && d !== "efa") continue;
      select.append(el("option", {value}, label));
    }
    select.value = params.get(d) || "";
    if (select.value !== (params.get(d) || "")) {  // a value the list lacks (e.g. from an edited URL): offered as is
      select.append(el("option", {value: params.get(d)}, params.get(d)));
      select.value = params.get(d);
    }
    dimBox.append(el("label", {for: "value-" + d}, d.replace(/_/g, " ")), select);
  }
  textInput.value = params.get("q") || "";

  /** The query parameters of the current filters (for the API, the downloads and the URL). */
  function filterParams() {
    const p = new URLSearchParams();
    p.set("company", root.dataset.company);
    if (root.dataset.asOf) p.set("as_of", root.dataset.asOf);
    const statuses = [...statusBox.querySelectorAll("input:checked")].map((b) => b.value);
    const isDefault = statuses.length === defaultStatuses.length && statuses.every((s) => defaultStatuses.includes(s));
    if (!isDefault) p.set("status", statuses.length === allStatuses.length ? "all" : statuses.join(",") || "none");
    if (params.get("require")) p.set("require", params.get("require"));
    for (const select of dimBox.querySelectorAll("select")) if (select.value) p.set(select.name, select.value);
    if (countrySelect.value) p.set("country", countrySelect.value);
    if (commoditySelect.value) p.set("commodity", commoditySelect.value);
    if (textInput.value.trim()) p.set("q", textInput.value.trim());
    return p;
  }

  function fillFacet(select, values, wanted) {
    const keep = wanted !== undefined ? wanted : select.value;
    select.replaceChildren(el("option", {value: ""}, "all"));
    for (const v of values) select.append(el("option", {value: v}, v));
    if (keep && !values.includes(keep)) select.append(el("option", {value: keep}, keep));
    select.value = keep || "";
  }

  // --- the table ---
  const headRow = table.tHead.rows[0];
  for (const c of COLUMNS) {
    const button = el("button", {type: "button", class: "sort", "data-key": c.key}, c.label);
    button.addEventListener("click", () => {
      sort = {key: c.key, desc: sort.key === c.key ? !sort.desc : false};
      draw();
      remember();
    });
    headRow.append(el("th", {scope: "col", "data-key": c.key}, button));
  }

  function compare(a, b, c) {
    const x = a[c.key];
    const y = b[c.key];
    const missingX = x === null || x === undefined || x === "";
    const missingY = y === null || y === undefined || y === "";
    if (missingX || missingY) return missingX === missingY ? 0 : missingX ? 1 : -1;  // unknown last, either way
    if (c.numeric) return (sort.desc ? -1 : 1) * (Number(x) - Number(y));
    return (sort.desc ? -1 : 1) * String(valueText(x)).localeCompare(String(valueText(y)), undefined, {numeric: true});
  }

  function draw() {
    const c = COLUMNS.find((x) => x.key === sort.key);
    const shown = c ? rows.map((r, i) => [r, i]).sort((p, q) => compare(p[0], q[0], c) || p[1] - q[1]).map((p) => p[0])
      : rows;
    for (const th of headRow.cells) {
      th.setAttribute("aria-sort", th.dataset.key === sort.key ? (sort.desc ? "descending" : "ascending") : "none");
    }
    const body = table.tBodies[0];
    body.replaceChildren();
    for (const r of shown) {
      const tr = el("tr", {"data-site-id": r.site_id});
      for (const col of COLUMNS) {
        if (col.key === "site") {
          tr.append(el("td", {class: "site"}, el("a", {href: nodeUrl(r.site_id)}, r.site || r.site_id)));
        } else if (col.key === "operator") {
          tr.append(el("td", {class: "operator"}, r.operator_id ? el("a", {href: nodeUrl(r.operator_id)}, r.operator || r.operator_id)
            : "unknown"));
        } else if (col.dimension) {
          const cell = coverageValue("td", r[col.key]);
          cell.setAttribute("title", r[col.key + "_reason"] || "");
          cell.setAttribute("data-dimension", col.key);
          tr.append(cell);
        } else if (col.key === "uncovered") {
          tr.append(el("td", {class: r.uncovered ? "uncovered" : ""}, r.uncovered ? "uncovered" : ""));
        } else {
          tr.append(el("td", {class: col.numeric ? "num" : ""}, valueText(r[col.key])));
        }
      }
      body.append(tr);
    }
    table.dataset.rows = String(shown.length);
    table.dataset.order = shown.map((r) => r.site_id).join("\n");
  }

  function remember() {
    const p = filterParams();
    if (sort.key) {
      p.set("sort", sort.key);
      if (sort.desc) p.set("desc", "1");
    }
    window.history.replaceState(null, "", "/coverage?" + p.toString());
  }

  let asked = 0;
  async function load(first) {
    const p = filterParams();
    const mine = ++asked;
    table.dataset.state = "loading";
    setStatus(status, "Loading…");
    for (const [id, kind] of [["download-csv", "csv"], ["download-xlsx", "xlsx"]]) {
      document.getElementById(id).setAttribute("href", `/api/coverage.${kind}?${p.toString()}`);
    }
    try {
      const body = await getJSON("/api/coverage.json?" + p.toString());
      if (mine !== asked) return;  // a later filter change answers instead
      rows = body.rows;
      fillFacet(countrySelect, body.facets.country, first ? params.get("country") || "" : undefined);
      fillFacet(commoditySelect, body.facets.commodity, first ? params.get("commodity") || "" : undefined);
      const left = Object.entries(body.status_excluded || {}).map(([k, v]) => `${k} ${v}`).join(", ");
      setStatus(status, `${rows.length} of ${body.total} site(s) of the ${body.name} group, as of ${body.as_of}` +
        (left ? `; left out by status: ${left}` : "") + ".");
      draw();
      if (!first) remember();
      table.dataset.state = "ready";
    } catch (e) {
      if (mine !== asked) return;
      rows = [];
      draw();
      setStatus(status, e.message, true);
      table.dataset.state = "error";
    }
  }

  document.getElementById("filters").addEventListener("change", () => load(false));
  document.getElementById("filters").addEventListener("submit", (e) => {
    e.preventDefault();
    load(false);
  });
  let typing = null;
  textInput.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => load(false), 250);
  });
  document.getElementById("filter-reset").addEventListener("click", () => {
    for (const b of statusBox.querySelectorAll("input")) b.checked = defaultStatuses.includes(b.value);
    for (const s of dimBox.querySelectorAll("select")) s.value = "";
    countrySelect.value = "";
    commoditySelect.value = "";
    textInput.value = "";
    load(false);
  });
  load(true);
})();
