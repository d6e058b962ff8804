/* Helpers shared by the workbench's pages (exports/web/templates).
 *
 * Safety rules kept by every page script: text from the graph goes into the page only through
 * textContent or attribute values set with setAttribute (never innerHTML); URLs of entity pages
 * and API calls are built with encodeURIComponent; no eval, no inline handlers (the app's
 * Content-Security-Policy forbids them anyway).
 */
"use strict";

const CG = (() => {
  /** An element: el("a", {href: "/x", class: "y"}, "text or", childElement, ...). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "hidden") node.hidden = true;
      else node.setAttribute(k, String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  /** The entity page of a node id. */
  function nodeUrl(id) {
    return "/nodes/" + encodeURIComponent(id);
  }

  /** GET a JSON API path; resolves to the parsed body, rejects with an Error whose message is the API's detail. */
  async function getJSON(path) {
    const response = await fetch(path, {headers: {Accept: "application/json"}, credentials: "same-origin"});
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      const detail = body && typeof body.detail === "string" ? body.detail : response.statusText;
      const error = new Error(`${response.status}: ${detail}`);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  /** Kind colours and shapes, from <body data-styles> (the static map's, exports/netmap.py). */
  const styles = (() => {
    try {
      return JSON.parse(document.body.dataset.styles || "{}");
    } catch (e) {
      return {};
    }
  })();
  const FALLBACK = {colour: "#607d8b", shape: "dot"};

  function kindStyle(kind) {
    return (styles.nodes && styles.nodes[kind]) || FALLBACK;
  }

  function edgeColour(kind) {
    return (styles.edges && styles.edges[kind]) || "#90a4ae";
  }

  /** A kind badge, coloured through the CSSOM (allowed by the CSP, unlike a style attribute). */
  function kindBadge(kind) {
    const badge = el("span", {class: "kind-badge", "data-kind": kind}, kind);
    colourBadge(badge);
    return badge;
  }

  function colourBadge(badge) {
    const colour = kindStyle(badge.dataset.kind).colour;
    badge.style.backgroundColor = colour;
    badge.style.color = readableOn(colour);
  }

  /** Black or white, whichever reads better on a #rrggbb background. */
  function readableOn(hex) {
    const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || "");
    if (!m) return "#fff";
    const [r, g, b] = m.slice(1).map((x) => parseInt(x, 16));
    return 0.299 * r + 0.587 * g + 0.114 * b > 160 ? "#202124" : "#fff";
  }

  /** A property value as text (lists joined, booleans as yes/no, missing as "unknown"). */
  function valueText(v) {
    if (v === null || v === undefined) return "unknown";
    if (Array.isArray(v)) return v.map(valueText).join(", ");
    if (typeof v === "boolean") return v ? "yes" : "no";
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }

  /** A coverage value as a coloured text element (labels and colours: exports/html.py's). */
  function coverageValue(tag, value) {
    const style = styles.coverage && styles.coverage[value];
    // a value without a label of its own (not_applicable) is shown as words: "not applicable"
    const text = style ? style.label : typeof value === "string" ? value.replaceAll("_", " ") : valueText(value);
    const node = el(tag, {class: "coverage-value", "data-value": value}, text);
    if (style) node.style.color = style.colour;
    return node;
  }

  function setStatus(node, text, isError) {
    node.textContent = text;
    node.classList.toggle("error", !!isError);
  }

  document.querySelectorAll(".kind-badge[data-kind]").forEach(colourBadge);

  return {el, nodeUrl, getJSON, kindStyle, edgeColour, kindBadge, readableOn, valueText, coverageValue, setStatus};
})();
