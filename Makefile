# The few verbs a newcomer needs. Everything installs from this repository's own files.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test test-fast lint bench fuzz system-deps clean web-assets

$(STAMP): pyproject.toml
	$(PY) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m compileall -q graphmodel loaders queries exports
	touch $(STAMP)

install: $(STAMP)

# System packages the browser tests need (Debian's chromium); skipped when already there.
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: sudo apt-get install chromium" >&2; exit 1; fi; }

# The main job on the bundled sample (real GEM data + sourced agreements): load, coverage, a map, a briefing.
demo: install
	$(BIN)/campaign-graph load examples/sample -o out/sample.snapshot
	$(BIN)/campaign-graph coverage out/sample.snapshot --company ArcelorMittal --summary country
	$(BIN)/campaign-graph coverage out/sample.snapshot --company Glencore --summary commodity
	$(BIN)/campaign-graph map out/sample.snapshot --company ArcelorMittal -o out/arcelormittal-map.html
	$(BIN)/campaign-graph brief out/sample.snapshot --company ArcelorMittal -o out/arcelormittal-brief.html
	@echo "Snapshot: out/sample.snapshot   Map: out/arcelormittal-map.html   Briefing: out/arcelormittal-brief.html (open them in any browser; they work offline)"
	@echo "Explore it: $(BIN)/campaign-graph serve out/sample.snapshot  (then open http://127.0.0.1:8765/)"

test: install system-deps
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not bolt and not browser and not notebooks"

# Benchmarks at sizes S, M, L (under 20 minutes on 2 cores); results in benchmarks/results/latest.{json,md};
# then each CLI command as a whole process at L beside pandas + networkx: benchmarks/results/cli-latest.{json,md};
# then the workbench (`serve` as a process, its API over HTTP, the first page in Chromium): web-latest.{json,md}
# (the project's modules compiled first, as a regular pip install does: commands are timed as installed)
bench: install
	$(BIN)/python -m compileall -q graphmodel loaders queries exports
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.bench_web --size L

# Fuzz the table, JSON and XML loaders for a bounded time: atheris (FUZZ_SECONDS per target),
# then the hypothesis fuzz at scale (FUZZ_EXAMPLES per test). Crashes land in tests/fuzz/crashes/.
FUZZ_SECONDS ?= 60
FUZZ_EXAMPLES ?= 3000
fuzz: install
	$(BIN)/python -m tests.fuzz.run_atheris $(FUZZ_SECONDS)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q tests/fuzz

# The web app's vendored network library (exports/web/static/vendor/vis-network): fetched from the npm
# registry at the pinned version with npm (which checks the tarball against the registry's integrity hash),
# the built files and licences copied as they are, then checked against the sha256 sums in VENDORED.md.
# The files are committed, so a fresh clone works offline; run this only to re-fetch or to verify them.
VIS_NETWORK_VERSION := 10.1.5
VIS_NETWORK_INTEGRITY := sha512-civ5BjoMdAEwRb/PZMmBZ3sD+NPymIWfkIeaoBDqQZKJ1YDq20X6vTB8u+UstwdWT9ftxRaSEflKFOUTw43I0w==
VIS_VENDOR := exports/web/static/vendor/vis-network
WEB_BUILD := build/web-assets
# The geographic view's map library, marker clustering, TopoJSON reader and Natural Earth basemap
# (exports/web/static/vendor/<name>), fetched and checked the same way as vis-network by vendor_npm:
# $(call vendor_npm,NAME,VERSION,INTEGRITY,FILES IN THE PACKAGE[,FOLDER,FILES UNDER IT KEEPING THEIR PATHS]);
# the sums are in each folder's VENDORED.md.
WEB_VENDOR := exports/web/static/vendor
LEAFLET_VERSION := 1.9.4
LEAFLET_INTEGRITY := sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==
MARKERCLUSTER_VERSION := 1.5.3
MARKERCLUSTER_INTEGRITY := sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==
TOPOJSON_CLIENT_VERSION := 3.1.0
TOPOJSON_CLIENT_INTEGRITY := sha512-605uxS6bcYxGXw9qi62XyrV6Q3xwbndjachmNxu8HWTtVPxZfEJN9fd/SZS1Q54Sn2y0TMyMxFj/cJINqGHrKw==
WORLD_ATLAS_VERSION := 2.0.2
WORLD_ATLAS_INTEGRITY := sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ==
define vendor_npm
	mkdir -p $(WEB_BUILD)/$(1)/files
	cd $(WEB_BUILD)/$(1) && npm pack --silent --json $(1)@$(2) > pack.json
	grep -q '"integrity": "$(3)"' $(WEB_BUILD)/$(1)/pack.json || \
	  { echo "$(1) $(2): the tarball's integrity is not the pinned one" >&2; exit 1; }
	tar -xzf $(WEB_BUILD)/$(1)/$(1)-$(2).tgz -C $(WEB_BUILD)/$(1)
	cd $(WEB_BUILD)/$(1)/package && cp $(strip $(4)) ../files/
	$(if $(5),cd $(WEB_BUILD)/$(1)/package/$(strip $(5)) && cp --parents $(strip $(6)) ../../files/)
	sed -n 's/^\([0-9a-f]\{64\}  [^ ]*\)$$/\1/p' $(WEB_VENDOR)/$(1)/VENDORED.md > $(WEB_BUILD)/$(1)/SHA256SUMS
	cd $(WEB_BUILD)/$(1)/files && sha256sum --strict -c ../SHA256SUMS
	cp -r $(WEB_BUILD)/$(1)/files/. $(WEB_VENDOR)/$(1)/
endef
web-assets:
	rm -rf $(WEB_BUILD) && mkdir -p $(WEB_BUILD)
	cd $(WEB_BUILD) && npm pack --silent --json vis-network@$(VIS_NETWORK_VERSION) > pack.json
	grep -q '"integrity": "$(VIS_NETWORK_INTEGRITY)"' $(WEB_BUILD)/pack.json || \
	  { echo "vis-network $(VIS_NETWORK_VERSION): the tarball's integrity is not the pinned one" >&2; exit 1; }
	tar -xzf $(WEB_BUILD)/vis-network-$(VIS_NETWORK_VERSION).tgz -C $(WEB_BUILD)
	mkdir -p $(WEB_BUILD)/vis-network
	cp $(WEB_BUILD)/package/dist/vis-network.min.js $(WEB_BUILD)/package/dist/dist/vis-network.min.css \
	  $(WEB_BUILD)/package/LICENSE-MIT $(WEB_BUILD)/package/LICENSE-APACHE-2.0 $(WEB_BUILD)/vis-network/
	sed -n 's/^\([0-9a-f]\{64\}  [^ ]*\)$$/\1/p' $(VIS_VENDOR)/VENDORED.md > $(WEB_BUILD)/SHA256SUMS
	cd $(WEB_BUILD)/vis-network && sha256sum --strict -c ../SHA256SUMS
	cp $(WEB_BUILD)/vis-network/* $(VIS_VENDOR)/
	$(call vendor_npm,leaflet,$(LEAFLET_VERSION),$(LEAFLET_INTEGRITY),dist/leaflet.js dist/leaflet.css LICENSE,\
	  dist,images/layers.png images/layers-2x.png images/marker-icon.png images/marker-icon-2x.png images/marker-shadow.png)
	$(call vendor_npm,leaflet.markercluster,$(MARKERCLUSTER_VERSION),$(MARKERCLUSTER_INTEGRITY),\
	  dist/leaflet.markercluster.js dist/MarkerCluster.css dist/MarkerCluster.Default.css MIT-LICENCE.txt)
	$(call vendor_npm,topojson-client,$(TOPOJSON_CLIENT_VERSION),$(TOPOJSON_CLIENT_INTEGRITY),\
	  dist/topojson-client.min.js LICENSE)
	$(call vendor_npm,world-atlas,$(WORLD_ATLAS_VERSION),$(WORLD_ATLAS_INTEGRITY),countries-50m.json LICENSE)

lint: install
	$(BIN)/ruff check graphmodel loaders queries exports tests benchmarks

clean:
	rm -rf $(VENV) out .pytest_cache
