# The two commands of the README's quick start:
#   make run   install everything, then run the main job on the embedded defaults
#   make run-cnsms  the same job, its Chinese SMS through the aliyun-sms channel to a
#              loopback server answering as Alibaba Cloud SMS (examples/run_cnsms.py)
#   make test  install everything, then run the whole test suite
# Only Python >= 3.11 and make are needed: uv is installed into .tools/ from PyPI.

PYTHON ?= python3
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: install run run-cnsms test lint typecheck bench mutate mutate-twilio mutate-results clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv>=0.5,<1"

# Bytecode is compiled at install (site-packages by uv, the workspace's own sources by
# compileall), so no command recompiles on a fresh machine, or ever where
# PYTHONDONTWRITEBYTECODE is set (`notifysdk --help` from source takes several times longer).
install: $(UV)
	$(UV) sync --locked --all-packages --compile-bytecode --python $(PYTHON)
	$(UV) run --no-sync python -m compileall -q -j 0 src $(wildcard plugins/*/src)

# The sample portfolio is exported "today" so due dates and days overdue agree in the
# letters; the same day always gives the same file, so a second run sends nothing new.
SAMPLE := .notifysdk/portfolio.csv

run: install
	$(UV) run --no-sync python examples/make_portfolio.py --as-of today --out $(SAMPLE)
	$(UV) run --no-sync python examples/book_appointments.py --config examples/notifysdk.toml --portfolio $(SAMPLE)
	$(UV) run --no-sync notifysdk run $(SAMPLE) --config examples/notifysdk.toml

# The main job with the sample's zh-CN SMS routed to aliyun-sms ([routes.sms] "zh-CN"),
# sent by the official Alibaba Cloud SDK to the plugin's loopback server on a free port
# (examples/notifysdk-cnsms.toml): its own ledger and output under .notifysdk/cnsms/.
run-cnsms: install
	$(UV) run --no-sync python examples/make_portfolio.py --as-of today --out $(SAMPLE)
	$(UV) run --no-sync python examples/book_appointments.py --config examples/notifysdk-cnsms.toml --portfolio $(SAMPLE)
	$(UV) run --no-sync python examples/run_cnsms.py $(SAMPLE)

test: install
	$(UV) run --no-sync pytest

lint: install
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .

typecheck: install
	$(UV) run --no-sync mypy src $(wildcard plugins/*/src)

bench: install
	$(UV) run --no-sync python -m bench

# Mutation testing of the safety-critical modules ([tool.mutmut] in pyproject.toml), not
# part of `make test`: it takes tens of minutes. Narrow it with a glob over mutant names,
# e.g. `make mutate MUTANTS='notifysdk.privacy.*'`; `make mutate-results` lists survivors.
# Findings and the reason for every survivor: docs/mutation-report.md.
MUTANTS ?=
mutate: install
	$(UV) run --no-sync mutmut run $(MUTANTS)
	$(UV) run --no-sync mutmut results

# The Twilio webhook signature check, in its own distribution: mutated in a scratch copy
# (.mutate/twilio) so the plugin's files are never touched. CI=true and the spec's path:
# without them every webhook test would skip and no mutant would be tested.
TWILIO_MUTMUT := [tool.mutmut]\nsource_paths = ["src"]\nonly_mutate = ["src/notifysdk_twilio/webhooks/signature.py"]\npytest_add_cli_args = ["-p", "no:cacheprovider", "-o", "asyncio_mode=auto", "-x", "-q"]\npytest_add_cli_args_test_selection = ["tests"]\n
mutate-twilio: install
	rm -rf .mutate/twilio && mkdir -p .mutate && cp -r plugins/notifysdk-twilio .mutate/twilio
	printf '\n$(TWILIO_MUTMUT)' >> .mutate/twilio/pyproject.toml
	cd .mutate/twilio && CI=true NOTIFYSDK_TWILIO_OAI=$(abspath ../shared/peers/twilio-oai/twilio_api_v2010.json) \
	  $(CURDIR)/.venv/bin/mutmut run && $(CURDIR)/.venv/bin/mutmut results

mutate-results:
	$(UV) run --no-sync mutmut results

clean:
	rm -rf $(TOOLS) .venv .notifysdk mutants .mutate
