# Lead Care Managers API: a FastCGI worker in C behind nginx, backed by MariaDB.
#
#   make         build the worker and lcm-admin (nothing else)
#   make run     install what is missing, build, start the local stack under var/
#   make demo    make run, then load the demo clinic into it (deploy/demo.sh)
#   make stop    stop it            make clean   stop it and remove var/ and build/
#   make test    layers, unit, fuzz smoke, HTTP, deploy and browser tests against throwaway stacks
#   make layers  fail when an include of lib/ crosses its layers the wrong way
#   make test SANITIZE=1   the same, built with ASan and UBSan into build-san/
#   make fuzz [FUZZ_SECONDS=60]   each libFuzzer target of tests/fuzz/ that long
#   make memcheck   valgrind on the unit tests and on the workers under load
#   make cluster-test   three Galera nodes, two worker pools, failovers
#   make bench   throughput figures against the PHP-FPM peer
#   make soak    SOAK_SECONDS (300) of mixed load: no 5xx, flat memory, every change recorded
#   make faults  workers killed and MariaDB paused and restarted under load
#   make install [PREFIX=/usr/local] [DESTDIR=]   install for production (deploy/README.md)
#   make schema  regenerate db-schema/schema.sql after adding a migration

CC      ?= cc
PKGS     = json-c mysqlclient fcgi libcrypto
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wcast-qual -Wsign-compare -fno-common -Werror
# lib/'s folders are its layers (tests/layers.sh); a header is named by its file alone.
LIB_DIRS = $(sort $(dir $(wildcard lib/*/*.h)))
CPPFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(patsubst %/,-I%,$(LIB_DIRS))
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CRIT_CFLAGS = $(shell pkg-config --cflags criterion 2>/dev/null)
CRIT_LIBS   = $(shell pkg-config --libs criterion 2>/dev/null)

PREFIX  ?= /usr/local
DESTDIR ?=
# The units go where systemd looks: /lib/systemd/system for a /usr install.
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
NGINX_SNIPPETS ?= /etc/nginx/snippets
SYSCONFDIR ?= /etc/lcm
LOGROTATEDIR ?= /etc/logrotate.d
MANDIR ?= $(PREFIX)/share/man

B = build
SAN_FLAGS =
# SANITIZE=1: AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer,
# any report fatal, into a build directory of its own. clang: gcc's combined
# runtime writes UBSan's reports to stderr whatever UBSAN_OPTIONS' log_path
# says, and the tests collect reports from files (tests/lib/sanitizer.sh).
ifeq ($(SANITIZE),1)
B = build-san
CC = clang
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
LIB_SRC   = $(wildcard lib/*/*.c)
APP_SRC   = $(wildcard fcgi-app/*.c)
ADMIN_SRC = $(wildcard fcgi-app/admin/*.c)
UNIT_SRC  = $(wildcard tests/unit/*.c)
LIB_OBJ   = $(LIB_SRC:%.c=$(B)/%.o)
APP_OBJ   = $(APP_SRC:%.c=$(B)/%.o)
ADMIN_OBJ = $(ADMIN_SRC:%.c=$(B)/%.o)
# Everything of the worker but its main(), so unit tests can link the handlers.
APP_LIB_OBJ = $(filter-out $(B)/fcgi-app/main.o,$(APP_OBJ))
UNIT_BIN = $(B)/unit-tests
BINS = $(B)/lcm-worker $(B)/lcm-admin

.PHONY: all deps run demo stop clean test unit layers http deploy-test cluster-test bench soak faults install fuzz fuzz-smoke memcheck schema
all: $(BINS)

# Install whatever Debian package is missing (a no-op when none is).
deps:
	@sh deploy/install-deps.sh

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CRIT_CFLAGS) $(CFLAGS) $(SAN_FLAGS) $(WARN) -MMD -MP -c $< -o $@

$(B)/lcm-worker: $(APP_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/lcm-admin: $(ADMIN_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS)

$(UNIT_BIN): $(UNIT_SRC:%.c=$(B)/%.o) $(APP_LIB_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS) $(CRIT_LIBS)

# libFuzzer targets (tests/fuzz/fuzz_*.c), built with Debian's clang, ASan and
# UBSan into build-fuzz/, against an archive of lib/ and the handlers.
FB = build-fuzz
FUZZ_CC = clang
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_TARGETS = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS = $(FUZZ_TARGETS:%=$(FB)/fuzz_%)
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 6

$(FB)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -Ifcgi-app $(PKG_CFLAGS) -O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN) \
		$(WARN) -MMD -MP -c $< -o $@

$(FB)/liblcm.a: $(LIB_OBJ:$(B)/%=$(FB)/%) $(APP_LIB_OBJ:$(B)/%=$(FB)/%)
	rm -f $@
	ar rcs $@ $^

$(FB)/fuzz_%: $(FB)/tests/fuzz/fuzz_%.o $(FB)/liblcm.a
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(PKG_LIBS)

# Each target FUZZ_SECONDS long, its seeds and past findings first.
fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BINS)
	@bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# What make test runs: a few seconds each.
fuzz-smoke: deps
	@$(MAKE) --no-print-directory $(FUZZ_BINS)
	@bash tests/fuzz/run.sh $(FUZZ_TEST_SECONDS) $(FUZZ_TARGETS)

run: deps
	@$(MAKE) --no-print-directory all
	@bash deploy/stack.sh start

# The demo clinic beside the contract's demo data: deploy/sample/clinic/
# through lcm-admin import, its history through the API; a second run
# changes nothing.
demo: run
	@bash deploy/demo.sh

stop:
	@bash deploy/stack.sh stop

clean: stop
	rm -rf build build-san $(FB) var

unit: deps
	@$(MAKE) --no-print-directory $(UNIT_BIN)
ifeq ($(SANITIZE),1)
	@CC="$(CC)" SAN_FLAGS="$(SAN_FLAGS)" bash tests/lib/sanitizer.sh --self-test
	bash tests/lib/sanitizer.sh $(UNIT_BIN) --jobs 2
else
	$(UNIT_BIN) --jobs 2
endif

# The JavaScript tests' npm packages, as tests/js/package-lock.json pins them.
JS_DEPS = tests/js/node_modules/.package-lock.json
$(JS_DEPS): tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error

http: deps
	@$(MAKE) --no-print-directory all $(JS_DEPS)
	@bash tests/run-http.sh

deploy-test: deps
	@$(MAKE) --no-print-directory all
	@bash tests/deploy/run.sh

# The admin console's tests in headless chromium: playwright-core as
# tests/browser/package-lock.json pins it (chromium itself is a Debian package).
BROWSER_DEPS = tests/browser/node_modules/.package-lock.json
$(BROWSER_DEPS): tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error

.PHONY: browser
browser: deps
	@$(MAKE) --no-print-directory all $(BROWSER_DEPS)
	@bash tests/browser/run.sh

# No include of lib/ crosses a layer the wrong way (tests/layers.sh).
layers:
	@bash tests/layers.sh --self-test
	@bash tests/layers.sh

test: layers unit fuzz-smoke http deploy-test browser

# Three Galera nodes, two pools, one nginx, kills in the middle (deploy/README.md).
cluster-test: deps
	@$(MAKE) --no-print-directory all
	@sh deploy/install-deps.sh --cluster
	@bash tests/cluster/selftest.sh
	@bash tests/cluster/run.sh

# valgrind memcheck: the unit tests, then two workers serving mixed requests.
memcheck: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
	@bash tests/memcheck/run.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@sh deploy/install-deps.sh --bench
	@bash tests/bench/run.sh

# Long runs against a private stack under wrk; not part of make test.
soak: deps
	@$(MAKE) --no-print-directory all
	@sh deploy/install-deps.sh --bench
	@bash tests/load/soak.sh

faults: deps
	@$(MAKE) --no-print-directory all
	@sh deploy/install-deps.sh --bench
	@bash tests/load/faults.sh

# The worker and lcm-admin built with another statement catalogue (a copy
# of lib/db/sql.c) into a directory of the caller's, beside build/'s:
#   make ALT_SQL=FILE ALT_DIR=DIR alt-catalogue
# tests/http/catalogue.sh checks one whose SELECT swaps two columns.
ALT_LIB_OBJ = $(filter-out $(B)/lib/db/sql.o,$(LIB_OBJ))
.PHONY: alt-catalogue
alt-catalogue: $(APP_OBJ) $(ADMIN_OBJ) $(ALT_LIB_OBJ)
	@test -n "$(ALT_SQL)" && test -n "$(ALT_DIR)" || \
		{ echo "alt-catalogue: ALT_SQL and ALT_DIR, please" >&2; exit 2; }
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(SAN_FLAGS) $(WARN) -c $(ALT_SQL) -o $(ALT_DIR)/sql.o
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $(ALT_DIR)/lcm-worker $(APP_OBJ) $(ALT_LIB_OBJ) $(ALT_DIR)/sql.o $(PKG_LIBS)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $(ALT_DIR)/lcm-admin $(ADMIN_OBJ) $(ALT_LIB_OBJ) $(ALT_DIR)/sql.o $(PKG_LIBS)

# db-schema/schema.sql: every migration applied to a throwaway MariaDB, dumped.
schema: deps
	@$(MAKE) --no-print-directory all
	@bash db-schema/schema.sh

# Production files; never overwrites an existing $(SYSCONFDIR)/lcm.conf.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
		$(DESTDIR)$(PREFIX)/share/lcm/db-schema $(DESTDIR)$(PREFIX)/share/lcm/nginx \
		$(DESTDIR)$(PREFIX)/share/lcm/galera \
		$(DESTDIR)$(NGINX_SNIPPETS) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)
	install -m 0755 $(B)/lcm-admin $(DESTDIR)$(PREFIX)/bin/lcm-admin
	install -m 0755 $(B)/lcm-worker $(DESTDIR)$(PREFIX)/sbin/lcm-worker
	install -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 deploy/lcm.conf.5 $(DESTDIR)$(MANDIR)/man5/lcm.conf.5
	install -m 0644 deploy/lcm-admin.8 $(DESTDIR)$(MANDIR)/man8/lcm-admin.8
	install -m 0644 db-schema/[0-9][0-9][0-9]_*.sql $(DESTDIR)$(PREFIX)/share/lcm/db-schema/
	install -m 0644 nginx/openapi.json $(DESTDIR)$(PREFIX)/share/lcm/openapi.json
	install -m 0644 deploy/galera/60-lcm-galera.cnf.in $(DESTDIR)$(PREFIX)/share/lcm/galera/
	install -d $(DESTDIR)$(PREFIX)/share/lcm/console/js
	install -m 0644 nginx/console/*.html nginx/console/*.css nginx/console/*.svg \
		$(DESTDIR)$(PREFIX)/share/lcm/console/
	install -m 0644 nginx/console/js/*.js $(DESTDIR)$(PREFIX)/share/lcm/console/js/
	install -m 0644 nginx/lcm-upstream.conf $(DESTDIR)$(NGINX_SNIPPETS)/
	sed -e 's|/usr/share/lcm/openapi.json|$(PREFIX)/share/lcm/openapi.json|' \
		-e 's|/usr/share/lcm/console/|$(PREFIX)/share/lcm/console/|' nginx/lcm-api.conf \
		>$(DESTDIR)$(NGINX_SNIPPETS)/lcm-api.conf
	chmod 0644 $(DESTDIR)$(NGINX_SNIPPETS)/lcm-api.conf
	install -m 0644 nginx/lcm-upstream.conf $(DESTDIR)$(NGINX_SNIPPETS)/lcm-api.conf \
		$(DESTDIR)$(PREFIX)/share/lcm/nginx/
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' deploy/lcm-workers.service.in \
		>$(DESTDIR)$(UNITDIR)/lcm-workers.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/lcm-workers.service
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' deploy/lcm-release-ended.service.in \
		>$(DESTDIR)$(UNITDIR)/lcm-release-ended.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/lcm-release-ended.service
	install -m 0644 deploy/lcm-release-ended.timer $(DESTDIR)$(UNITDIR)/lcm-release-ended.timer
	install -d $(DESTDIR)$(LOGROTATEDIR)
	install -m 0644 deploy/lcm.logrotate $(DESTDIR)$(LOGROTATEDIR)/lcm
	sed -e 's|@SCHEMA_DIR@|$(PREFIX)/share/lcm/db-schema|g' deploy/lcm.conf.example \
		>$(DESTDIR)$(SYSCONFDIR)/lcm.conf.example
	chmod 0644 $(DESTDIR)$(SYSCONFDIR)/lcm.conf.example
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/lcm.conf ]; then \
		echo "kept $(DESTDIR)$(SYSCONFDIR)/lcm.conf (compare it with lcm.conf.example)"; \
	fi

-include $(shell find $(B) $(FB) -name '*.d' 2>/dev/null)
