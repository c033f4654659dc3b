# `make run` and `make test` do all the set-up on a fresh Debian machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
# WeasyPrint's Pango; libharfbuzz-subset0 makes a Chinese PDF page ~0.3 s
# instead of ~14 s; Noto CJK for Chinese text in PDFs.
RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
TEST_DEBS := $(RUN_DEBS) chromium poppler-utils nginx-light
DEV_ENV := DJANGO_DEBUG=1

.PHONY: run test debs-run debs-test venv migrate seed lint check clean backup restore

run: debs-run venv
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	@echo "控辍保学已启动：http://$(HOST)/ （按 Ctrl-C 停止）"
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST)

test: debs-test venv
	$(BIN)/pytest

debs-run:
	@sh scripts/debian-packages.sh $(RUN_DEBS)

debs-test:
	@sh scripts/debian-packages.sh $(TEST_DEBS)

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

check: venv
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Database and uploaded files in one archive under var/backups/ (README
# "Backups"). Without DJANGO_SECRET_KEY (a development checkout) as in `make run`.
OPS_ENV := $(if $(DJANGO_SECRET_KEY),,$(DEV_ENV))

backup: venv
	$(OPS_ENV) $(BIN)/python manage.py backup

restore: venv
	@test -n "$(FILE)" || { echo "用法：make restore FILE=var/backups/kongchuo-….tar.gz"; exit 2; }
	$(OPS_ENV) $(BIN)/python manage.py restore "$(FILE)"

clean:
	rm -rf $(VENV) var/kongchuo.sqlite3
