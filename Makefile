# One command per job. Everything installs into .venv; Mosquitto comes from apt when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test bench faults clean micropython32

NODE_STAMP := node_modules/.package-lock.json

setup: $(STAMP) $(NODE_STAMP)
	@scripts/ensure-mosquitto
	@# Chromium for the live view's browser tests: required in CI, elsewhere those tests skip without it
	@scripts/ensure-chromium || [ -z "$$CI" ]

# The LoRaWAN oracle (npm lora-packet), the decoder's ES5 check (acorn) and uPlot (its built file is
# committed under host/reallabor/monitor/live/static/vendor/; a test checks it is the npm package's)
$(NODE_STAMP): package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund; \
	else echo "npm not found: the LoRaWAN oracle and decoder tests need Node.js and npm"; fi

$(STAMP): pyproject.toml
	@scripts/ensure-python-venv $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[sim,plot,test,labels,live]'
	@touch $(STAMP)

demo: setup
	$(BIN)/reallabor replay traces/courtyard-24h-bme280.jsonl --table 60 \
		--out build/courtyard-24h.jsonl --plot build/courtyard-24h.png

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m bench

# A 32-bit unix MicroPython for make bench's 32-bit day figures, from GitHub or, without access to
# it, from a local clone: make micropython32 MICROPYTHON_SOURCE=path/to/micropython
micropython32:
	scripts/build-micropython32 $(MICROPYTHON_SOURCE)

# The fault script against a real Mosquitto: our transport and umqtt.simple side by side
faults: setup
	$(BIN)/python -m bench.faults

clean:
	rm -rf build $(VENV) node_modules
