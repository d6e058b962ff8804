/* "Record research" on an entity page (templates/edits.html.j2): research edits with their source.
 *
 * Each form becomes one JSON body for POST /api/edits (docs/web.md "Research edits"), with the
 * source chosen in the source picker (an existing source id, or a new source's title, publisher,
 * date and confidential flag). The Edits list (GET /api/edits) has an Undo button per edit in
 * force (DELETE /api/edits/{id}) and Redo (POST /api/edits/redo). After a change the page is
 * loaded again, so its properties, coverage and network show the new answers; the message of
 * what was done is kept in sessionStorage across that reload. Text from the graph goes in with
 * textContent only (common.js); the server's one-line refusals are shown as they are.
 * The section gets data-state="ready" once the sources and the edits are listed.
 */
"use strict";

(() => {
  const section = document.getElementById("research");
  const article = document.getElementById("entity");
  if (!section || !article) return;
  const {el, getJSON, setStatus} = CG;
  const nodeId = article.dataset.nodeId;
  const status = document.getElementById("research-status");
  const FLASH = "cg-edits-flash";

  /** Send a JSON request; resolves to the body, rejects with an Error whose message is the API's detail. */
  async function send(method, path, body) {
    const init = {method, credentials: "same-origin", headers: {Accept: "application/json"}};
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    let answer = null;
    try {
      answer = await response.json();
    } catch (e) {
      answer = null;
    }
    if (!response.ok) {
      throw new Error(answer && typeof answer.detail === "string" ? answer.detail : response.statusText);
    }
    return answer;
  }

  // ------------------------------------------------------------------ the source picker
  const choice = document.getElementById("source-choice");
  const newSource = document.getElementById("new-source");
  const field = (id) => document.getElementById(id);

  choice.addEventListener("change", () => { newSource.hidden = choice.value !== ""; });

  function source() {
    if (choice.value) return choice.value;
    const title = field("source-title").value.trim();
    if (!title) throw new Error("give the source: pick one, or give a new source's title");
    const out = {title, confidential: field("source-confidential").checked};
    const publisher = field("source-publisher").value.trim();
    const date = field("source-date").value;
    if (publisher) out.publisher = publisher;
    if (date) out.retrieved = date;
    return out;
  }

  // ------------------------------------------------------------------ picking existing nodes by name
  /** Fill a datalist with the nodes of `kind` the text finds; remember name -> id. */
  function picker(input, list, kind) {
    const ids = new Map();
    let asked = "";
    input.addEventListener("input", async () => {
      const q = input.value.trim();
      if (q.length < 2 || q === asked) return;
      asked = q;
      try {
        const found = await getJSON(`/api/search?q=${encodeURIComponent(q)}&kind=${encodeURIComponent(kind)}&limit=20`);
        list.replaceChildren();
        for (const r of found.results) {
          ids.set(r.name, r.id);
          list.append(el("option", {value: r.name}, `${r.name} (${r.id})`));
        }
        input.dispatchEvent(new Event("matched"));
      } catch (e) {
        /* the search is a help only: a failed one leaves the list as it was */
      }
    });
    return () => ids.get(input.value.trim()) || null;
  }

  // ------------------------------------------------------------------ each form's body
  const text = (form, name) => (form.elements[name] ? form.elements[name].value.trim() : "");
  const props = (entries) => Object.fromEntries(entries.filter(([, v]) => v !== "" && v !== null && v !== undefined));

  const builders = {
    "union-at-site": (form, pick) => {
      const name = text(form, "union");
      const recognised = text(form, "recognised");
      const properties = props([
        ["recognised", recognised === "" ? "" : recognised === "true"],
        ["members", text(form, "members") === "" ? "" : Number(text(form, "members"))],
        ["bargaining_unit", text(form, "bargaining_unit")],
      ]);
      const union = pick();
      if (union) return {kind: "add_edge", edge_kind: "REPRESENTS", from: union, to: nodeId, properties};
      return {kind: "add_node", node_kind: "Union", name, edges: [{kind: "REPRESENTS", to: nodeId, properties}]};
    },
    "status": (form) => props([["kind", "set_property"], ["target", nodeId], ["property", form.dataset.property],
                               ["value", text(form, "value")], ["date", text(form, "date")]]),
    "new-cba": (form) => ({
      kind: "add_node", node_kind: "Agreement", name: text(form, "name"),
      properties: props([["agreement_type", "cba"], ["signed", text(form, "signed")], ["expires", text(form, "expires")]]),
      edges: [{kind: "COVERS", to: nodeId}],
    }),
    "coverage": (form, pick) => {
      const agreement = pick();
      if (!agreement) throw new Error("pick an existing agreement from the list (a new CBA: the form above)");
      return {kind: "add_edge", edge_kind: "COVERS", from: agreement, to: nodeId,
              properties: {excluded: text(form, "excluded") === "true"}};
    },
    "covers-site": (form, pick) => {
      const site = pick();
      if (!site) throw new Error("pick an existing site from the list");
      return {kind: "add_edge", edge_kind: "COVERS", from: nodeId, to: site,
              properties: {excluded: text(form, "excluded") === "true"}};
    },
    "missing-site": (form) => ({
      kind: "add_node", node_kind: "Site", name: text(form, "name"),
      properties: props([["country", text(form, "country").toUpperCase()], ["status", text(form, "status")]]),
      edges: [{kind: "OPERATES", from: nodeId}],
    }),
    "missing-subsidiary": (form) => ({
      kind: "add_node", node_kind: "Company", name: text(form, "name"),
      properties: props([["country", text(form, "country").toUpperCase()]]),
      edges: [{kind: "OWNS", from: nodeId, properties: props([["share", text(form, "share") === "" ? "" : Number(text(form, "share"))]])}],
    }),
    "note": (form) => ({kind: "set_property", target: nodeId, property: "notes", value: text(form, "value")}),
  };

  const pickers = {
    "union-at-site": ["union", "union-options", "Union"],
    "coverage": ["agreement", "agreement-options", "Agreement"],
    "covers-site": ["site", "site-options", "Site"],
  };

  function done(message) {
    sessionStorage.setItem(FLASH, message);
    window.location.reload();
  }

  for (const form of section.querySelectorAll("form.edit-form")) {
    const what = form.dataset.edit;
    let pick = () => null;
    if (pickers[what]) {
      const [name, listId, kind] = pickers[what];
      const input = form.elements[name];
      pick = picker(input, document.getElementById(listId), kind);
      const match = form.querySelector(".union-match");
      if (match) {
        const say = () => {
          const id = pick();
          match.textContent = input.value.trim() === "" ? "" : id ? `existing union (${id})` : "a new union";
        };
        input.addEventListener("input", say);
        input.addEventListener("matched", say);
      }
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      try {
        const body = builders[what](form, pick);
        body.source = source();
        button.disabled = true;
        setStatus(status, "Recording…", false);
        const made = await send("POST", "/api/edits", body);
        done(`Recorded ${made.id}: ${made.label}.`);
      } catch (e) {
        setStatus(status, "Not recorded: " + e.message, true);
        button.disabled = false;
      }
    });
  }

  // ------------------------------------------------------------------ the edits list
  async function listEdits() {
    const answer = await getJSON("/api/edits");
    const list = document.getElementById("edits-list");
    list.replaceChildren();
    for (const e of answer.edits.slice().reverse()) {
      const item = el("li", {class: e.undone ? "edit undone" : "edit", "data-edit-id": e.id},
        el("span", {class: "edit-id"}, e.id), " ", el("span", {class: "edit-label"}, e.label),
        el("span", {class: "edit-meta"}, ` · ${e.user}, ${e.time.replace("T", " ").replace("+00:00", " UTC")}`),
        e.undone ? el("span", {class: "edit-meta"}, " · undone") : null);
      if (!e.undone) {
        const undo = el("button", {type: "button", class: "undo"}, "Undo");
        undo.addEventListener("click", async () => {
          undo.disabled = true;
          try {
            const r = await send("DELETE", `/api/edits/${encodeURIComponent(e.id)}`);
            done(`Undone ${r.undone.id}: ${r.undone.label}.`);
          } catch (err) {
            setStatus(status, "Not undone: " + err.message, true);
            undo.disabled = false;
          }
        });
        item.append(" ", undo);
      }
      list.append(item);
    }
    if (!answer.edits.length) list.append(el("li", {class: "hint"}, "No edits yet."));
    const redo = document.getElementById("redo-edit");
    redo.disabled = !answer.redo;
    redo.title = answer.redo ? `Redo ${answer.redo}` : "";
  }

  document.getElementById("redo-edit").addEventListener("click", async () => {
    try {
      const r = await send("POST", "/api/edits/redo");
      done(`Redone ${r.redone.id}: ${r.redone.label}.`);
    } catch (e) {
      setStatus(status, "Not redone: " + e.message, true);
    }
  });

  /** Say why no edit can be recorded here, instead of offering the forms. */
  function off(reason) {
    section.hidden = false;
    section.querySelectorAll("fieldset, .research-forms, .edits-title, .edits-actions, .edits-list")
      .forEach((n) => { n.hidden = true; });
    setStatus(status, "Research edits are not available here: " + reason, false);
    section.dataset.state = "off";
  }

  async function start() {
    try {
      // first whether edits can be recorded here (a redacted server, or none without an edits folder)
      const here = await getJSON("/api/edits");
      if (!here.enabled) {
        off(here.reason);
        return;
      }
      const found = await getJSON("/api/edits/sources");
      for (const s of found.sources) {
        choice.append(el("option", {value: s.id}, `${s.title}${s.publisher ? " — " + s.publisher : ""} (${s.id})`));
      }
      await listEdits();
    } catch (e) {
      off(e.message.replace(/^\d+: /, ""));
      return;
    }
    section.hidden = false;
    const flash = sessionStorage.getItem(FLASH);
    if (flash) {
      sessionStorage.removeItem(FLASH);
      setStatus(status, flash, false);
    }
    section.dataset.state = "ready";
  }

  start();
})();
