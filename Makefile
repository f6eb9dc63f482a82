# heavylegs: `make run` and `make test` set up whatever is missing first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8888
ATHLETE ?= ana
# Keep Jupyter's and IPython's files inside the project, not in the home folder.
export JUPYTER_CONFIG_DIR := $(CURDIR)/$(VENV)/jupyter/config
export JUPYTER_DATA_DIR := $(CURDIR)/$(VENV)/jupyter/data
export JUPYTER_RUNTIME_DIR := $(CURDIR)/$(VENV)/jupyter/runtime
export IPYTHONDIR := $(CURDIR)/$(VENV)/ipython
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: setup browser test run dashboard bench clean help

help:
	@echo "make run        serve the coach workbook, ready, on the sample athlete (JupyterLab beside it)"
	@echo "make test       run every test (unit, notebooks, browser)"
	@echo "make dashboard ATHLETE=ana   serve an athlete's dashboard with Voila"
	@echo "make bench      print the speed figures"

setup: $(STAMP)

# The virtual environment is rebuilt only when pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

# Debian's Chromium for the real-browser tests (Playwright's own download does not work offline).
browser:
	@if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	    || { echo "could not install chromium: run 'apt-get install chromium' as root"; exit 1; }; \
	fi

test: setup browser
	$(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-current-env -p no:cacheprovider

# JupyterLab must not ask about news or updates: the machine may be offline.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_OVERRIDES): | $(STAMP)
	@mkdir -p $(dir $@)
	@printf '%s\n' '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > $@

# The first JupyterLab session opens with the side bar closed, so the answers and the ranking
# sit side by side on a 1280 px screen; after that JupyterLab keeps the coach's own layout.
LAB_WORKSPACE := $(JUPYTER_CONFIG_DIR)/lab/workspaces/default-37a8.jupyterlab-workspace
$(LAB_WORKSPACE): | $(STAMP)
	@mkdir -p $(dir $@)
	@cp scripts/jupyterlab-workspace.json $@

# The workbook served ready as an app (Voila, kernels run ahead), JupyterLab on the next port.
run: setup $(LAB_OVERRIDES) $(LAB_WORKSPACE)
	@echo "Starting the coach workbook on http://127.0.0.1:$(PORT) (sample athlete: $(ATHLETE)); JupyterLab on port $$(( $(PORT) + 1 ))"
	$(BIN)/python -m heavylegs.serve.workbook_app --notebooks $(CURDIR)/notebooks --data $(CURDIR)/data \
	  --athlete $(ATHLETE) --port $(PORT)

dashboard: setup
	$(BIN)/heavylegs serve $(ATHLETE) --data $(CURDIR)/data

bench: setup
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info tests/artifacts
