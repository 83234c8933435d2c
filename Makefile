# The two commands of the README's quick start:
#   make run   install everything, then run the main job on the embedded defaults
#   make test  install everything, then run the whole test suite
# Only Python >= 3.11 and make are needed: uv is installed into .tools/ from PyPI.

PYTHON ?= python3
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: install run test lint typecheck bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv>=0.5,<1"

install: $(UV)
	$(UV) sync --locked --all-packages --python $(PYTHON)

run: install
	NOTIFYSDK_DISABLE_PLUGINS=broken,example $(UV) run --no-sync python examples/book_appointments.py --config examples/notifysdk.toml
	NOTIFYSDK_DISABLE_PLUGINS=broken,example $(UV) run --no-sync notifysdk run examples/portfolio.csv --config examples/notifysdk.toml

test: install
	$(UV) run --no-sync pytest

lint: install
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .

typecheck: install
	$(UV) run --no-sync mypy

bench: install
	$(UV) run --no-sync python -m bench

clean:
	rm -rf $(TOOLS) .venv .notifysdk
