/* The geographic view of a group (/geo?company=…, templates/geo.html.j2).
 *
 * Leaflet (vendored) draws the Natural Earth countries of world-atlas (vendored TopoJSON, read
 * with topojson-client) as a GeoJSON layer: no tile server, nothing from outside. The sites come
 * from /api/geo (the coverage rows with the coordinates exports/geo.py reads); those without
 * coordinates are listed beside the map, never put at 0,0. Sites are circle markers (no icon
 * images) clustered by Leaflet.markercluster; a cluster shows its count on a ring whose
 * shares are the chosen dimension's values. Labels appear from LABEL_ZOOM on. Colours and
 * labels of the coverage values are exports/html.py's (CG.styles via <body data-styles>).
 * Under the CSP (style-src 'self') every style is set through the CSSOM, never as markup.
 */
"use strict";

(() => {
  const root = document.getElementById("group");
  const mapNode = document.getElementById("map");
  if (!root || !mapNode || !root.dataset.company) return;
  const {el, nodeUrl, getJSON, coverageValue, valueText, setStatus} = CG;

  /** From this zoom on, every site drawn on its own carries its name. */
  const LABEL_ZOOM = 6;
  /** The closest zoom the first view fits to (one site alone is not shown at street level). */
  const FIT_MAX_ZOOM = 7;
  const ORDER = ["not_covered", "unknown", "covered", "not_applicable"];
  const status = document.getElementById("map-status");
  const colourBy = document.getElementById("colour-by");
  const styles = JSON.parse(document.body.dataset.styles || "{}").coverage || {};

  function colour(value) {
    return (styles[value] && styles[value].colour) || "#78909c";
  }

  function label(value) {
    return (styles[value] && styles[value].label) || valueText(value).replace(/_/g, " ");
  }

  const params = new URLSearchParams(window.location.search);
  if (params.get("colour") && [...colourBy.options].some((o) => o.value === params.get("colour"))) {
    colourBy.value = params.get("colour");
  }

  const map = L.map(mapNode, {worldCopyJump: true, minZoom: 1, maxZoom: 12, attributionControl: true});
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Countries: Natural Earth (world-atlas)");
  map.setView([20, 0], 2);

  let markers = [];
  let bounds = null;

  function clusterIcon(cluster) {
    const dim = colourBy.value;
    const counts = {};
    for (const m of cluster.getAllChildMarkers()) {
      const v = m.site.coverage[dim];
      counts[v] = (counts[v] || 0) + 1;
    }
    const total = cluster.getChildCount();
    let at = 0;
    const stops = [];
    for (const v of [...ORDER, ...Object.keys(counts).filter((k) => !ORDER.includes(k))]) {
      if (!counts[v]) continue;
      const end = at + (counts[v] / total) * 360;
      stops.push(`${colour(v)} ${at}deg ${end}deg`);
      at = end;
    }
    const ring = el("div", {class: "cluster-ring", title: Object.entries(counts).map(([k, n]) => `${label(k)}: ${n}`).join(", ")});
    ring.style.background = `conic-gradient(${stops.join(", ")})`;  // the CSSOM: allowed by the CSP
    ring.append(el("span", {class: "cluster-count"}, String(total)));
    const size = total < 10 ? 34 : total < 100 ? 40 : 48;
    ring.style.width = ring.style.height = `${size}px`;
    return L.divIcon({html: ring, className: "site-cluster", iconSize: L.point(size, size)});
  }

  const clusters = L.markerClusterGroup({
    iconCreateFunction: clusterIcon, showCoverageOnHover: false, maxClusterRadius: 40, spiderfyOnMaxZoom: true,
  });

  function popup(site) {
    const dims = root.dataset.dimensions.split(",");
    const list = el("dl", {class: "popup-facts"});
    list.append(el("dt", {}, "status"), el("dd", {}, valueText(site.status) +
      (site.status_note ? ` (${site.status_note})` : "")));
    list.append(el("dt", {}, "operator"), el("dd", {}, site.operator || "unknown"));
    list.append(el("dt", {}, "country"), el("dd", {}, valueText(site.country)));
    for (const d of dims) list.append(el("dt", {}, d.replace(/_/g, " ")), coverageValue("dd", site.coverage[d]));
    return el("div", {class: "site-popup", "data-site-id": site.id},
      el("h3", {}, site.name), list, el("a", {href: nodeUrl(site.id)}, "Open the site's page"));
  }

  function paint() {
    const dim = colourBy.value;
    for (const m of markers) {
      const v = m.site.coverage[dim];
      m.setStyle({fillColor: colour(v), color: "#263238"});
    }
    clusters.refreshClusters();
    legend.update();
    const p = new URLSearchParams(window.location.search);
    if (dim === "union_presence") p.delete("colour");
    else p.set("colour", dim);
    window.history.replaceState(null, "", "/geo?" + p.toString());
    mapNode.dataset.colour = dim;
  }

  function labels() {
    const show = map.getZoom() >= LABEL_ZOOM;
    for (const m of markers) {
      if (show && !m.getTooltip()) {
        // an element, not a string: Leaflet writes a string tooltip as HTML, and names are text
        m.bindTooltip(el("span", {}, m.site.name), {permanent: true, direction: "right", offset: [8, 0], className: "site-label"});
      } else if (!show && m.getTooltip()) {
        m.unbindTooltip();
      }
    }
    mapNode.dataset.labels = show ? "on" : "off";
    mapNode.dataset.zoom = String(map.getZoom());
  }

  const legend = L.control({position: "bottomright"});
  legend.onAdd = () => {
    legend.node = el("div", {class: "map-legend", id: "legend"});
    return legend.node;
  };
  legend.update = () => {
    if (!legend.node) return;
    const dim = colourBy.value;
    const counts = {};
    for (const m of markers) counts[m.site.coverage[dim]] = (counts[m.site.coverage[dim]] || 0) + 1;
    legend.node.replaceChildren(el("strong", {}, dim.replace(/_/g, " ")));
    for (const v of [...ORDER, ...Object.keys(counts).filter((k) => !ORDER.includes(k))]) {
      if (!counts[v] && !styles[v]) continue;
      const swatch = el("span", {class: "legend-swatch"});
      swatch.style.backgroundColor = colour(v);
      legend.node.append(el("div", {class: "legend-row", "data-value": v}, swatch, `${label(v)}: ${counts[v] || 0}`));
    }
  };
  legend.addTo(map);

  /** The view fitted to the group's sites (at once when the page opens: no animation from the world view). */
  function fit(animate) {
    if (bounds && bounds.isValid()) map.fitBounds(bounds, {padding: [30, 30], maxZoom: FIT_MAX_ZOOM, animate: !!animate});
  }

  /** A ring that crosses the antimeridian (Fiji, Chukotka) with its western points moved by +360°, so Leaflet
   * does not draw it as a band across the whole map; rings that run along the poles (Antarctica) stay. */
  function unwrapRing(ring) {
    const east = ring.some((c) => c[0] > 170);
    const west = ring.some((c) => c[0] < -170);
    if (!east || !west || ring.some((c) => c[1] < -60)) return ring;
    return ring.map((c) => (c[0] < 0 ? [c[0] + 360, c[1]] : c));
  }

  function unwrap(geometry) {
    if (!geometry) return geometry;
    if (geometry.type === "Polygon") return {...geometry, coordinates: geometry.coordinates.map(unwrapRing)};
    if (geometry.type === "MultiPolygon") {
      return {...geometry, coordinates: geometry.coordinates.map((poly) => poly.map(unwrapRing))};
    }
    return geometry;
  }

  async function basemap() {
    const world = await getJSON("/static/vendor/world-atlas/countries-50m.json");
    const countries = topojson.feature(world, world.objects.countries);
    countries.features = countries.features.map((f) => ({...f, geometry: unwrap(f.geometry)}));
    L.geoJSON(countries, {
      interactive: false,
      style: {color: "#9aa5ad", weight: 0.6, fillColor: "#eef0e6", fillOpacity: 1},
    }).addTo(map);
  }

  async function sites() {
    const p = new URLSearchParams({company: root.dataset.company});
    if (root.dataset.asOf) p.set("as_of", root.dataset.asOf);
    return getJSON("/api/geo?" + p.toString());
  }

  function listUnplaced(unplaced) {
    document.getElementById("unplaced-count").textContent = String(unplaced.length);
    const list = document.getElementById("unplaced-list");
    list.replaceChildren();
    for (const s of unplaced) {
      list.append(el("li", {"data-site-id": s.id}, el("a", {href: nodeUrl(s.id)}, s.name), " ",
        coverageValue("span", s.coverage[colourBy.value])));
    }
    mapNode.dataset.unplaced = String(unplaced.length);
  }

  async function start() {
    try {
      const [, body] = await Promise.all([basemap(), sites()]);
      markers = body.sites.map((s) => {
        const m = L.circleMarker([s.lat, s.lon], {radius: 7, weight: 1.2, fillOpacity: 0.9});
        m.site = s;
        m.bindPopup(() => popup(s), {minWidth: 250, maxWidth: 340});
        return m;
      });
      clusters.addLayers(markers);
      map.addLayer(clusters);
      bounds = markers.length ? L.latLngBounds(markers.map((m) => m.getLatLng())) : null;
      listUnplaced(body.unplaced);
      paint();
      fit(false);
      labels();
      map.on("zoomend", labels);
      colourBy.addEventListener("change", () => {
        paint();
        listUnplaced(body.unplaced);
      });
      document.getElementById("fit-sites").addEventListener("click", () => fit(true));
      setStatus(status, `${markers.length} site(s) on the map, ${body.unplaced.length} not placed; ` +
        `the ${body.name} group as of ${body.as_of}. Click a site for its coverage; zoom in for names.`);
      mapNode.dataset.markers = String(markers.length);
      mapNode.dataset.state = "ready";
    } catch (e) {
      setStatus(status, e.message, true);
      mapNode.dataset.state = "error";
    }
  }

  start();
})();
