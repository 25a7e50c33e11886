# ATN Hub: `make run` sets everything up and serves the API; `make test` installs and runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export ATN_INSTANCE_DIR ?= $(CURDIR)/instance

# The browser tests (tests/e2e) drive Debian's Chromium through Playwright's Python package (no browser
# download) and check accessibility with axe-core from the npm registry, pinned here.
AXE_VERSION := 4.14.1
E2E_VENDOR := tests/e2e/.vendor
AXE := $(E2E_VENDOR)/axe-core-$(AXE_VERSION)/axe.min.js

.PHONY: run test install openapi fuzz bench clean postgres browser

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "ATN Hub needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/atn-hub db upgrade
	@if [ ! -f "$(ATN_INSTANCE_DIR)/.demo-loaded" ]; then \
		$(BIN)/atn-hub demo load && touch "$(ATN_INSTANCE_DIR)/.demo-loaded"; fi
	@echo "ATN Hub on http://$(HOST):$(PORT)/  (web console; API docs: http://$(HOST):$(PORT)/docs)"
	$(BIN)/atn-hub run -h $(HOST) -p $(PORT)

# Starts the local PostgreSQL when it is installed and stopped (the suite then runs on it too).
postgres:
	@if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] && \
		! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n1) main start || true; \
		for i in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; fi

/usr/bin/chromium:
	@if [ "$$(id -u)" != 0 ]; then echo "Install Debian's chromium (apt-get install chromium) for the browser tests" >&2; exit 1; fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium || \
		(apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)

$(AXE):
	rm -rf $(E2E_VENDOR)/axe-core-$(AXE_VERSION) && mkdir -p $(E2E_VENDOR)/axe-core-$(AXE_VERSION)
	cd $(E2E_VENDOR) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null
	tar -xzf $(E2E_VENDOR)/axe-core-$(AXE_VERSION).tgz -C $(E2E_VENDOR)/axe-core-$(AXE_VERSION) --strip-components=1 package/axe.min.js package/LICENSE
	rm -f $(E2E_VENDOR)/axe-core-$(AXE_VERSION).tgz

browser: /usr/bin/chromium $(AXE)

test: install postgres browser
	$(BIN)/python -m pytest

# A long Schemathesis run (the suite runs a bounded one): every operation, four roles, both databases.
fuzz: install postgres
	ATN_FUZZ_EXAMPLES=$${ATN_FUZZ_EXAMPLES:-100} $(BIN)/python -m pytest tests/test_fuzz.py -p no:cacheprovider -q

openapi: install
	$(BIN)/atn-hub openapi write --format=yaml openapi.yaml

clean:
	rm -rf $(VENV) .pytest_cache $(E2E_VENDOR) tests/e2e/screenshots
