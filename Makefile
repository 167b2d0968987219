# One-command setup: `make run` for the demo, `make test` for the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run seed demo-logins test lint format bench messages

VENDOR := media/static/media/vendor

$(STAMP): requirements.txt requirements-dev.txt package.json package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -r requirements-dev.txt
	scripts/browser-assets.sh $(VENDOR)
	touch $@

install: $(STAMP)

seed: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py search_rebuild

run: seed
	$(PY) manage.py collectstatic --noinput --verbosity 0
	scripts/run-demo.sh

demo-logins: install
	$(PY) manage.py demo_logins

test: install
	scripts/test.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

APPS := portal media courses search resources volunteers live insights

messages: install
	for app in $(APPS); do \
	  (cd $$app && ../$(PY) ../manage.py makemessages -l zh_Hans --no-obsolete \
	     -i "static/*/vendor/*" && ../$(PY) ../manage.py compilemessages) || exit 1; \
	done

bench: install
	$(PY) -m bench
