# make book  - set up .venv if missing, execute every chapter (default profile, in place) and the summary pages
#              (scorecard, execution statistics), build the HTML book
# make html  - rebuild the HTML from the committed notebooks only (no execution)
# make test  - set up .venv if missing, run ruff, the unit tests, nbval regression on the chapters and summary
#              pages, and the browser check of the built HTML (needs Chromium: Debian's `chromium` package)
# make smoke - execute every chapter with the smoke profile (outputs in _build/runs/smoke)
# make scale - the scale tier: chapters 00-05 and 10-11 with the chromosomes profile (the chromosome-scale offline
#              data), in place into notebooks/chromosomes/, then the summary pages; hours on 2 CPU cores, progress
#              in _build/scale.log; rerun it to resume (models, data sets and attributions are cached)
# make rehearsal - rehearse the paper profile offline: build a mirror of the downloads from the offline data
#              (python -m lib mirror build), serve it on 127.0.0.1 and run every chapter with --profile paper
#              against it in a fresh cache, epochs and seeds shrunk (lib/book/rehearsal.py; outputs and
#              summary.json in _build/rehearsal; `make test` runs the smoke-sized one)
# make bench - run the benchmarks in benchmarks/
# make numerics-check - rerun every chapter as another machine would (native numerics, then one thread; empty caches)
#              and compare every glued value within its tolerance and every scorecard verdict with the committed
#              notebooks (lib/numerics.py, lib/book/runner.py)
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book html test smoke scale rehearsal bench numerics-check venv clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/python -m lib run --profile default
	$(MAKE) html

html: $(STAMP)
	$(BIN)/jupyter-book build . --warningiserror --quiet
	@echo "book: _build/html/index.html"

test: $(STAMP)
	$(BIN)/ruff check lib tests benchmarks
	$(BIN)/python -m pytest tests notebooks book --nbval-lax --nbval-current-env \
		--nbval-sanitize-with tests/sanitize.cfg -p no:cacheprovider --durations=25

smoke: $(STAMP)
	$(BIN)/python -m lib run --profile smoke

scale: $(STAMP)
	@mkdir -p _build
	@echo "scale tier: progress in _build/scale.log"
	$(BIN)/python -m lib run --profile chromosomes --log-cells > _build/scale.log 2>&1 || { tail -20 _build/scale.log; exit 1; }
	@grep -E "^(==|   done)" _build/scale.log

rehearsal: $(STAMP)
	$(BIN)/python -m lib rehearse

numerics-check: $(STAMP)
	$(BIN)/python -m lib numerics-check

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_numerics.py
	$(BIN)/python benchmarks/numerics_settings.py
	$(BIN)/python benchmarks/bench_gtf.py
	$(BIN)/python benchmarks/bench_junctions.py --scale slice
	$(BIN)/python benchmarks/bench_junctions.py --scale full
	$(BIN)/python benchmarks/bench_paper_a.py
	$(BIN)/python benchmarks/bench_attribution.py
	$(BIN)/python benchmarks/bench_cnn.py
	$(BIN)/python benchmarks/project_paper.py

clean:
	rm -rf _build
