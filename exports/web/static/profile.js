/* An entity's relations on its page (templates/profile.html.j2), from /api/nodes/{id}/profile:
 * a company's ownership chain up, its group down, its group's sites with their coverage (the
 * first rows of /api/coverage, the whole table on the /coverage page), agreements, networks,
 * events and leverage points (asked for after the rest: ?section=leverage); a site's operators
 * with their chains, its placement, status, unions and agreements; a union's sites, networks,
 * agreements and affiliations. Every entity is a link to its page; text goes in with
 * textContent only (common.js's el).
 *
 * The answers hold for the page URL's as_of (the network view's date when the page was opened),
 * else today. The section gets data-state="loaded" once the profile is drawn (data-leverage="loaded" and
 * data-sites="loaded" when those later parts are).
 */
"use strict";

(() => {
  const {el, nodeUrl, getJSON, valueText, coverageValue, setStatus, kindBadge} = CG;
  const root = document.getElementById("profile");
  if (!root) return;
  const article = document.getElementById("entity");
  const focusId = article.dataset.nodeId;
  const holder = document.getElementById("profile-sections");
  const status = document.getElementById("profile-status");
  // the date of the answers: the page URL's as_of (the network view's, as the page was opened), else today
  const asOf = (() => {
    const v = new URLSearchParams(window.location.search).get("as_of") || "";
    return /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : "";
  })();
  const dated = (path) => (asOf ? `${path}${path.includes("?") ? "&" : "?"}as_of=${asOf}` : path);
  const api = `/api/nodes/${encodeURIComponent(focusId)}/profile`;
  /** how many of a group's coverage rows the page lists (the /coverage page has them all) */
  const SITE_ROWS = 50;
  const dimensions = (() => {
    try {
      return JSON.parse(document.body.dataset.styles || "{}").dimensions || [];
    } catch (e) {
      return [];
    }
  })();

  const TITLES = {
    ownership: "Ownership chain up", group: "Group down", sites: "Sites of the group", agreements: "Agreements",
    networks: "Union networks", events: "Events", leverage: "Leverage points", operators: "Operators",
    placement: "Placement", status: "Status", unions: "Unions", affiliations: "Affiliations",
  };

  const link = (id, name) => el("a", {href: nodeUrl(id), "data-node": id}, name === null || name === undefined ? id : name);
  const text = (v) => valueText(v);
  const pct = (v) => (v === null || v === undefined ? "unknown" : `${Math.round(v * 100) / 100} %`);
  const stakeText = (r) => (r.effective_stake !== null && r.effective_stake !== undefined ? pct(r.effective_stake)
    : r.stake_min !== null && r.stake_min !== undefined ? `≥ ${pct(r.stake_min)}` : "unknown");
  const inForce = (r) => (r.in_force === null || r.in_force === undefined ? "" : r.in_force ? "yes" : "no (ended or not yet)");

  /** A table: columns are [heading, (row) => cell content]. */
  function table(rows, columns, rowAttrs, cls) {
    const head = el("tr", {}, ...columns.map(([h]) => el("th", {scope: "col"}, h)));
    const body = el("tbody", {}, ...rows.map((r) => el("tr", rowAttrs ? rowAttrs(r) : {},
      ...columns.map(([, cell]) => {
        const v = cell(r);
        return v instanceof Node && v.tagName === "TD" ? v : el("td", {}, v);
      }))));
    return el("table", {class: cls ? `facts ${cls}` : "facts"}, el("thead", {}, head), body);
  }

  function section(name, ...content) {
    const box = el("section", {class: "profile-part", "data-section": name}, el("h3", {}, TITLES[name] || name));
    box.append(...content);
    holder.append(box);
    return box;
  }

  const none = (what) => el("p", {class: "hint none"}, `No ${what} on record.`);

  function relations(name, rows, columns, what) {
    return section(name, rows.length ? table(rows, columns, (r) => ({"data-id": r.id})) : none(what));
  }

  // ------------------------------------------------------------------ the kinds' sections
  function ownership(o) {
    const top = el("p", {}, "Ultimate parent: ", link(o.ultimate_parent, o.ultimate_parent_name));
    const steps = o.steps.length ? table(o.steps, [
      ["Entity", (s) => link(s.of, s.of === focusId ? article.querySelector("#entity-name").textContent : s.of)],
      ["Controlled by", (s) => link(s.id, s.name)],
      ["Direct share", (s) => pct(s.share)],
      ["Why", (s) => text(s.reason)],
    ]) : el("p", {class: "hint"}, o.explanation);
    const box = section("ownership", top, steps);
    box.dataset.parent = o.ultimate_parent;
    // an entity of a step is named by its id until the step below says its name
    const names = new Map(o.steps.map((s) => [s.id, s.name]));
    box.querySelectorAll("a[data-node]").forEach((a) => {
      if (names.has(a.dataset.node) && a.textContent === a.dataset.node) a.textContent = names.get(a.dataset.node);
    });
  }

  function group(g) {
    const counts = Object.entries(g.counts).map(([k, n]) => `${k}: ${n}`).join(", ");
    const note = el("p", {class: "hint"}, `${g.total} members (${counts}), rule ${g.rule}` +
      (g.truncated ? `; the first ${g.members.length} listed (campaign-graph group lists them all)` : "") + ".");
    section("group", note, table(g.members, [
      ["Member", (r) => link(r.id, r.name)], ["Kind", (r) => r.kind], ["Effective stake", stakeText],
      ["Membership", (r) => r.membership], ["Controlled", (r) => text(r.controlled)], ["Why", (r) => text(r.reason)],
    ], (r) => ({"data-id": r.id, "data-membership": r.membership})));
  }

  async function sites() {
    const box = section("sites", el("p", {class: "hint"}, "Loading the group's coverage…"));
    const more = el("a", {href: `/coverage?company=${encodeURIComponent(focusId)}`}, "the whole coverage table");
    try {
      const answer = await getJSON(dated(`/api/coverage?company=${encodeURIComponent(focusId)}`));
      const rows = answer.rows || [];
      const shown = rows.slice(0, SITE_ROWS);
      box.querySelector("p").replaceChildren(`${rows.length} sites as of ${answer.as_of}` +
        (rows.length > shown.length ? `; the first ${shown.length} here, all in ` : "; sorting and filters in "), more, ".");
      if (shown.length) {
        box.append(table(shown, [
          ["Site", (r) => link(r.site_id, r.site)], ["Status", (r) => text(r.status)],
          ["Operator", (r) => (r.operator_id ? link(r.operator_id, r.operator) : "unknown")],
          ...dimensions.map((d) => [d.replace(/_/g, " "), (r) => {
            const cell = coverageValue("td", r[d]);
            if (r[`${d}_reason`]) cell.setAttribute("title", r[`${d}_reason`]);
            return cell;
          }]),
          ["Reasons", (r) => (r.reasons ? el("details", {}, el("summary", {}, "why"), r.reasons) : "")],
        ], (r) => ({"data-id": r.site_id}), "profile-sites"));
      }
      box.dataset.count = String(rows.length);
    } catch (e) {
      setStatus(box.querySelector("p"), "Could not load the group's coverage: " + e.message, true);
    }
    root.dataset.sites = "loaded";
  }

  const agreementColumns = [
    ["Agreement", (r) => link(r.id, r.name)], ["Type", (r) => text(r.properties.agreement_type)],
    ["Signed", (r) => text(r.properties.signed)], ["Expires", (r) => text(r.properties.expires)],
    ["Status", (r) => text(r.status)],
  ];

  function networkRows(rows) {
    return table(rows, [
      ["Network", (r) => link(r.id, r.name)], ["Company", (r) => (r.company ? link(r.company.id, r.company.name) : text(r.properties.company))],
      ["Member unions", (r) => {
        const cell = el("td", {});
        (r.members || []).forEach((m, i) => cell.append(i ? ", " : "", link(m.id, m.name)));
        if (!(r.members || []).length) cell.append("none on record");
        return cell;
      }],
    ], (r) => ({"data-id": r.id}));
  }

  const eventColumns = [
    ["Event", (r) => link(r.id, r.name)], ["Date", (r) => text(r.properties.date)],
    ["Type", (r) => text(r.properties.event_type)], ["Severity", (r) => text(r.properties.severity)],
  ];

  async function leverage() {
    const box = section("leverage", el("p", {class: "hint"}, "Loading the leverage points…"));
    try {
      const answer = await getJSON(dated(`${api}?section=leverage`));
      const lev = answer.sections.leverage;
      const ours = (lev.us || []).map((o) => o.name).join(", ");
      box.querySelector("p").textContent = `${lev.points} points, highest score first` +
        (ours ? `; your organisation (not scored): ${ours}` : "") + ".";
      box.append(table(lev.rows, [
        ["Category", (r) => r.category.replace(/_/g, " ")],
        ["About", (r) => (r.node_id ? link(r.node_id, r.node) : "")],
        ["Score", (r) => (r.score === null || r.score === undefined ? "not scored" : String(Math.round(r.score * 100) / 100))],
        ["Explanation", (r) => text(r.explanation)],
      ], (r) => ({"data-category": r.category})));
    } catch (e) {
      setStatus(box.querySelector("p"), "Could not load the leverage points: " + e.message, true);
    }
    root.dataset.leverage = "loaded";
  }

  function company(s) {
    ownership(s.ownership);
    group(s.group);
    const later = [sites()];
    relations("agreements", s.agreements, [...agreementColumns, ["Role", (r) => text(r.edge_properties.role)]],
      "agreement signed");
    section("networks", s.networks.length ? networkRows(s.networks) : none("union network of this company or its owners"));
    relations("events", s.events, eventColumns, "event");
    return later;
  }

  function site(s) {
    relations("operators", s.operators, [
      ["Operator", (r) => link(r.id, r.name)], ["Share", (r) => pct(r.edge_properties.share)],
      ["Owners up to the ultimate parent", (r) => {
        const cell = el("td", {});
        const names = new Map(r.ownership.steps.map((x) => [x.id, x.name]));
        r.ownership.chain.forEach((id, i) => cell.append(i ? " < " : "", link(id, i ? names.get(id) : r.name)));
        return cell;
      }],
      ["Why", (r) => text(r.ownership.explanation)],
    ], "operator");
    const p = s.placement;
    section("placement", p.operator_id ? el("p", {},
      "Counted in the group of ", link(p.ultimate_parent_id, p.ultimate_parent), " through ",
      link(p.operator_id, p.operator), ` (${p.membership}; effective stake ${stakeText(p)}).`)
      : none("operator"));
    section("status", el("p", {}, "Status: ", text(s.status.status), s.status.status_note ? ` (${s.status.status_note})` : ""));
    relations("unions", s.unions, [
      ["Union", (r) => link(r.id, r.name)], ["Recognised", (r) => text(r.edge_properties.recognised)],
      ["Members", (r) => text(r.edge_properties.members)],
      ["Bargaining unit", (r) => text(r.edge_properties.bargaining_unit)], ["In force", inForce],
    ], "union");
    relations("agreements", s.agreements, [...agreementColumns,
      ["Covers this site", (r) => (r.edge ? (r.edge_properties.excluded ? "excluded" : "yes (COVERS)") : "")],
      ["Named by its coverage", (r) => (r.cited_by_coverage ? "yes" : "no")],
    ], "agreement");
    relations("events", s.events, eventColumns, "event");
    return [];
  }

  function union(s) {
    relations("sites", s.sites, [
      ["Site or company", (r) => link(r.id, r.name)], ["Kind", (r) => kindBadge(r.kind)],
      ["Recognised", (r) => text(r.edge_properties.recognised)], ["Members", (r) => text(r.edge_properties.members)],
      ["Bargaining unit", (r) => text(r.edge_properties.bargaining_unit)], ["In force", inForce],
    ], "site");
    relations("networks", s.networks, [["Network", (r) => link(r.id, r.name)], ["In force", inForce]], "network");
    relations("agreements", s.agreements, [...agreementColumns, ["Role", (r) => text(r.edge_properties.role)]],
      "agreement signed");
    const aff = [...s.affiliations.to.map((r) => ({...r, way: "affiliated to"})),
      ...s.affiliations.from.map((r) => ({...r, way: "affiliate"}))];
    relations("affiliations", aff, [["Union", (r) => link(r.id, r.name)], ["", (r) => r.way], ["In force", inForce]],
      "affiliation");
    relations("events", s.events, eventColumns, "event");
    return [];
  }

  async function load() {
    let answer;
    try {
      answer = await getJSON(dated(api));
    } catch (e) {
      setStatus(status, "Could not load the relations: " + e.message, true);
      root.dataset.state = "error";
      return;
    }
    const draw = {Company: company, Site: site, Union: union}[answer.kind];
    const later = draw ? draw(answer.sections) : [];
    status.textContent = `As of ${answer.as_of}.`;
    root.dataset.state = "loaded";
    if ((answer.deferred || []).includes("leverage")) later.push(leverage());
    await Promise.all(later);
  }

  load();
})();
