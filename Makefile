# ATN Hub: `make run` sets everything up and serves the API; `make test` installs and runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export ATN_INSTANCE_DIR ?= $(CURDIR)/instance
# The hub's address as browsers reach it: sign-in sends people back to it (`make run PORT=8000` just works).
# Plain http is for loopback addresses only: bound to any other HOST, it is this machine's 127.0.0.1 unless
# ATN_PUBLIC_URL names the https address people use.
export ATN_PUBLIC_URL ?= http://$(if $(filter 127.0.0.1 localhost,$(HOST)),$(HOST),127.0.0.1):$(PORT)

# The browser tests (tests/e2e) drive Debian's Chromium through Playwright's Python package (no browser
# download) and check accessibility with axe-core from the npm registry, pinned here.
AXE_VERSION := 4.14.1
E2E_VENDOR := tests/e2e/.vendor
AXE := $(E2E_VENDOR)/axe-core-$(AXE_VERSION)/axe.min.js

# The console's modules are checked with ESLint from the npm registry, pinned here (ESLint 10 needs Node 20.19,
# 22.13 or 24+). It is installed into node_modules/ (git-ignored) beside eslint.config.mjs, which imports from it.
ESLINT_VERSION := 10.16.0
ESLINT_JS_VERSION := 10.0.1
GLOBALS_VERSION := 17.15.0
ESLINT := node_modules/.eslint-$(ESLINT_VERSION)-$(ESLINT_JS_VERSION)-$(GLOBALS_VERSION)
CONSOLE_JS := atn_hub/static/console/js

.PHONY: run test install openapi fuzz bench clean postgres browser lint lint-py lint-js

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
	@echo "ATN Hub on $(ATN_PUBLIC_URL)/  (web console; API docs: $(ATN_PUBLIC_URL)/docs)"
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

$(ESLINT):
	npm install --no-save --no-audit --no-fund --silent --prefix . \
		eslint@$(ESLINT_VERSION) @eslint/js@$(ESLINT_JS_VERSION) globals@$(GLOBALS_VERSION)
	touch $@

# `node --check file.js` exits 0 on a file with import or export whatever its syntax (Node 20 takes it for an ES
# module and leaves it unparsed), so each module is read as one from stdin.
lint-js: $(ESLINT)
	@for module in $(CONSOLE_JS)/*.js; do \
		node --input-type=module --check < $$module || { echo "$$module: not a valid ES module" >&2; exit 1; }; done
	node_modules/.bin/eslint --max-warnings 0 $(CONSOLE_JS)

test: install postgres browser
	$(BIN)/python -m pytest

# Lint and types: ruff (pyflakes, pycodestyle, import order, bugbear, pyupgrade) over the tree, mypy over the
# services, search and schemas (settings in pyproject.toml), and the console's modules (lint-js).
lint: lint-py lint-js

lint-py: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# A long Schemathesis run (the suite runs a bounded one): every operation, four roles, both databases.
fuzz: install postgres
	ATN_FUZZ_EXAMPLES=$${ATN_FUZZ_EXAMPLES:-100} $(BIN)/python -m pytest tests/test_fuzz.py -p no:cacheprovider -q

openapi: install
	$(BIN)/atn-hub openapi write --format=yaml openapi.yaml

clean:
	rm -rf $(VENV) .pytest_cache $(E2E_VENDOR) tests/e2e/screenshots node_modules
