# make run: set everything up and open the dashboard on the bundled articles.
# make test: set everything up and run every test (lint, types, unit, browser).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BUILD := data/build
GAZETTEER := $(BUILD)/gazetteer.sqlite
BORDERS := $(BUILD)/borders.geojson
GOLD := ../shared/gold
CHROMIUM := /usr/bin/chromium

.PHONY: setup setup-dev run extract paths export test lint unit browser evaluate bench clean

setup: $(VENV)/.runtime $(GAZETTEER) $(BORDERS)

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(GAZETTEER): $(VENV)/.runtime data/aliases.csv data/demonyms.csv data/country_points.csv data/geonames_country_points.csv data/regions.csv data/sites.csv data/seas.csv $(wildcard geo/gazetteer/*.py) geo/normalize.py
	$(PY) -m geo build-gazetteer

$(BORDERS): $(VENV)/.runtime
	$(PY) -m geo build-borders

setup-dev: setup $(VENV)/.dev $(CHROMIUM)

# The browser tests drive Debian's Chromium; Playwright cannot download one here.
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "Install Debian's chromium (sudo apt-get install chromium) for the browser tests"; exit 1; fi

run: setup
	$(PY) -m geo dashboard

extract: setup
	$(PY) -m geo extract data/articles --format table

paths: setup
	$(PY) -m geo paths data/articles --format table

export: setup
	$(PY) -m geo export data/articles -o briefing.html

test: setup-dev lint unit

lint:
	$(VENV)/bin/ruff check geo tests dashboard.py
	$(VENV)/bin/mypy geo

unit:
	$(PY) -m pytest -q

evaluate: setup
	$(PY) -m geo evaluate $(GOLD)/TR-News.xml $(GOLD)/GWN.xml $(GOLD)/lgl.xml $(GOLD)/GeoVirus.xml
	$(PY) -m geo evaluate-paths tests/data/strikes tests/data/strikes/gold.json

bench: setup
	$(PY) -m geo bench $(GOLD)/TR-News.xml $(GOLD)/GWN.xml \
		--paths-corpora $(GOLD)/TR-News.xml $(GOLD)/GWN.xml $(GOLD)/lgl.xml $(GOLD)/GeoVirus.xml
	$(PY) -m geo bench-store $(GOLD)/TR-News.xml $(GOLD)/GWN.xml $(GOLD)/lgl.xml \
		$(GOLD)/GeoVirus.xml --articles 10000 --dask local:2

clean:
	rm -rf $(BUILD) .pytest_cache .mypy_cache .ruff_cache
