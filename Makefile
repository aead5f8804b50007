# CDG 44 – ateliers et co-développement. Run `make help` for the targets.
# pelican-quickstart's targets (html, clean, regenerate, serve, devserver,
# publish, rsync_upload) are kept; bootstrap, check, test, audit, bench,
# nouvel-atelier and editer are ours.

PY ?= python3
VENV ?= $(CURDIR)/.venv
PYTHON := $(VENV)/bin/python
PELICAN := $(VENV)/bin/pelican
PELICANOPTS ?=

BASEDIR := $(CURDIR)
INPUTDIR ?= $(BASEDIR)/content
OUTPUTDIR ?= $(BASEDIR)/output
CONFFILE ?= $(BASEDIR)/pelicanconf.py
PUBLISHCONF ?= $(BASEDIR)/publishconf.py

PORT ?= 8000
FORM_PORT ?= 8001
CMS_PORT ?= 8081
FORM_DB ?= $(BASEDIR)/var/formulaires.sqlite3

SSH_HOST ?= localhost
SSH_PORT ?= 22
SSH_USER ?= root
SSH_TARGET_DIR ?= /var/www/ateliers

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help bootstrap site-deps npm-deps test-deps lint html clean regenerate serve devserver publish rsync_upload check nouvel-atelier editer test audit bench

help:
	@echo "make serve           construit le site et le sert sur http://127.0.0.1:$(PORT)/ avec le récepteur de formulaires"
	@echo "make test            installe ce qu'il faut et lance tous les tests (navigateur compris)"
	@echo "make check           vérifie les fichiers de contenu sans construire le site"
	@echo "make nouvel-atelier  crée un fichier d'atelier (ARGS='--type atelier --titre …')"
	@echo "make editer          l'interface d'édition sur http://127.0.0.1:$(PORT)/admin/, qui écrit dans content/"
	@echo "make html            construit le site dans output/ (remplacé seulement si la construction réussit)"
	@echo "make publish         construit la version publique (publishconf.py) et la met en place"
	@echo "make rsync_upload    publie puis envoie output/ sur le serveur (SSH_HOST, SSH_TARGET_DIR)"
	@echo "make devserver       reconstruit à chaque modification et sert le site"
	@echo "make lint            règles d'import entre paquets et style du code (lint-imports, ruff)"
	@echo "make audit           Lighthouse sur l'accueil et les deux pages d'offre"
	@echo "make bench           mesures de performance (construction, récepteur)"

# -- installation ------------------------------------------------------------
# The project itself, editable, with its test tools, at the versions pinned in
# constraints.txt (every package, transitive ones included).
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

bootstrap: site-deps $(VENV)/.installed

# What the build needs from Debian: Pango (WeasyPrint lays out the PDF programme with it)
# and the DejaVu fonts the PDF uses. Only what is missing is installed.
site-deps:
	@missing=""; \
	/sbin/ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  echo "Installation des paquets Debian :$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

# The npm packages at the versions of package-lock.json: the check tools (vnu,
# Lighthouse) and the editing interface (Decap CMS, React, yaml, esbuild, decap-server).
# Without them `make html` builds the site without /admin/ (a French warning says so).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

npm-deps: node_modules/.installed

# Debian's Chromium (browser tests), a Java runtime (Nu HTML checker), Pango and
# the DejaVu fonts (the receiver's PDFs, made by WeasyPrint) and npm tools.
# Only what is missing is installed, so a machine's own Node.js or Java is kept.
test-deps: bootstrap
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium fonts-dejavu-core"; \
	/sbin/ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installation des paquets Debian :$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
	@$(MAKE) --no-print-directory npm-deps

# -- building ----------------------------------------------------------------
# Build into a fresh folder, then swap it in: a failed build never touches the
# previous output.
define safe_build
	rm -rf "$(OUTPUTDIR).new"
	$(PELICAN) "$(INPUTDIR)" -o "$(OUTPUTDIR).new" -s "$(1)" $(PELICANOPTS)
	rm -rf "$(OUTPUTDIR).old"
	if [ -d "$(OUTPUTDIR)" ]; then mv "$(OUTPUTDIR)" "$(OUTPUTDIR).old"; fi
	mv "$(OUTPUTDIR).new" "$(OUTPUTDIR)"
	rm -rf "$(OUTPUTDIR).old"
endef

html: bootstrap
	$(call safe_build,$(CONFFILE))

clean:
	rm -rf "$(OUTPUTDIR)" "$(OUTPUTDIR).new" "$(OUTPUTDIR).old" "$(BASEDIR)/.cache/offer"

regenerate: bootstrap
	$(PELICAN) -r "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS)

# The site on :$(PORT) (Pelican's server, answering a missing page with the site's 404)
# and the self-hosted form receiver on :$(FORM_PORT) (SQLite in var/).
# The build (html, a prerequisite) inherits these, so the forms post to this receiver.
serve: export PUBLIC_SITE_URL = http://127.0.0.1:$(PORT)
serve: export FORM_ENDPOINT = http://127.0.0.1:$(FORM_PORT)
serve: export LIVE_AVAILABILITY = 1
serve: html
	@mkdir -p "$(dir $(FORM_DB))"
	@echo "Site : http://127.0.0.1:$(PORT)/  –  formulaires reçus : $(FORM_DB)  –  Ctrl+C pour arrêter"
	@trap 'kill 0' INT TERM EXIT; \
	FORMBACKEND_ALLOWED_ORIGINS="http://127.0.0.1:$(PORT),http://localhost:$(PORT)" \
	  $(PYTHON) -m formbackend serve --host 127.0.0.1 --port $(FORM_PORT) --db "$(FORM_DB)" --forms "$(INPUTDIR)/forms.yaml" \
	    --sessions "$(OUTPUTDIR)/donnees/inscriptions.json" & \
	$(PYTHON) -m offer_pelican.serve "$(OUTPUTDIR)" --bind 127.0.0.1 --port $(PORT)

# The build cache (.cache/offer/) makes a rebuild after an edit re-render only
# what changed; clean builds (html, publish, CI) never use it.
devserver: bootstrap
	OFFER_CACHE_DIR="$(BASEDIR)/.cache/offer" $(PELICAN) -lr "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" -b 127.0.0.1 -p $(PORT) $(PELICANOPTS)

publish: bootstrap
	$(call safe_build,$(PUBLISHCONF))

rsync_upload: publish
	rsync -e "ssh -p $(SSH_PORT)" -P -rvzc --include tags --cvs-exclude --delete "$(OUTPUTDIR)"/ "$(SSH_USER)@$(SSH_HOST):$(SSH_TARGET_DIR)"

# -- editors' tools ----------------------------------------------------------
# On errors the report is all the editor needs: make's own English line
# ("make: *** [Makefile:…: check] Error 1") would only add noise, and make prints it
# for every failing recipe. So the recipe ends make itself with SIGPIPE: make has no
# handler for it and dies at once, and shells report no SIGPIPE death; the status
# stays non-zero (141), so CI stops. Where SIGPIPE is ignored, `exit 1` still fails.
check: bootstrap
	@$(PYTHON) -m offer.tools.check "$(INPUTDIR)" || { kill -PIPE $$PPID; exit 1; }

nouvel-atelier: bootstrap
	$(PYTHON) -m offer.tools.scaffold $(ARGS)

# The editing interface against this clone, without a forge: Decap's local
# backend (decap-server, bound to 127.0.0.1:$(CMS_PORT)) writes into content/,
# and the devserver rebuilds the site and /admin/ on each change.
editer: export CMS_LOCAL_BACKEND_URL = http://127.0.0.1:$(CMS_PORT)/api/v1
editer: bootstrap npm-deps
	@echo "Interface d'édition : http://127.0.0.1:$(PORT)/admin/ (bouton « Se connecter ») – elle écrit dans $(BASEDIR)/content/ – Ctrl+C pour arrêter"
	@trap 'kill 0' INT TERM EXIT; \
	GIT_REPO_DIRECTORY="$(BASEDIR)" MODE=fs PORT=$(CMS_PORT) BIND_HOST=127.0.0.1 LOG_LEVEL=warn \
	  node node_modules/decap-server/dist/index.js & \
	OFFER_CACHE_DIR="$(BASEDIR)/.cache/offer" $(PELICAN) -lr "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" -b 127.0.0.1 -p $(PORT) $(PELICANOPTS)

# -- quality -----------------------------------------------------------------
test: test-deps lint
	$(PYTHON) -m pytest
	$(MAKE) --no-print-directory audit

# The design's rules (import contracts in pyproject.toml) and the code's style.
lint: bootstrap
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

audit: test-deps
	$(PYTHON) -m tests.tools.lighthouse_audit

bench: bootstrap
	$(PYTHON) bench/bench_build.py
	$(PYTHON) bench/bench_receiver.py
