# Lead Care Managers API: a FastCGI worker in C behind nginx, backed by MariaDB.
#
#   make run     install what is missing, build, start the local stack under var/
#   make stop    stop it            make clean   stop it and remove var/ and build/
#   make test    unit and HTTP tests against a throwaway stack
#   make bench   throughput figures against the PHP-FPM peer

CC      ?= cc
PKGS     = json-c mysqlclient fcgi libcrypto
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wcast-qual -Wsign-compare -fno-common -Werror
CPPFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -Ilib
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CRIT_CFLAGS = $(shell pkg-config --cflags criterion 2>/dev/null)
CRIT_LIBS   = $(shell pkg-config --libs criterion 2>/dev/null)

B = build
LIB_SRC  = $(wildcard lib/*.c)
APP_SRC  = $(wildcard fcgi-app/*.c)
UNIT_SRC = $(wildcard tests/unit/*.c)
LIB_OBJ  = $(LIB_SRC:%.c=$(B)/%.o)
APP_OBJ  = $(APP_SRC:%.c=$(B)/%.o)
# Everything of the worker but its main(), so unit tests can link the handlers.
APP_LIB_OBJ = $(filter-out $(B)/fcgi-app/main.o,$(APP_OBJ))
UNIT_BIN = $(B)/unit-tests

.PHONY: all deps run stop clean test unit http bench
all: deps
	@$(MAKE) --no-print-directory $(B)/lcm-worker

# Install whatever Debian package is missing (a no-op when none is).
deps:
	@sh deploy/install-deps.sh

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CRIT_CFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c $< -o $@

$(B)/lcm-worker: $(APP_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

$(UNIT_BIN): $(UNIT_SRC:%.c=$(B)/%.o) $(APP_LIB_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(CRIT_LIBS)

run: all
	@bash deploy/stack.sh start

stop:
	@bash deploy/stack.sh stop

clean: stop
	rm -rf $(B) var

unit: deps
	@$(MAKE) --no-print-directory $(UNIT_BIN)
	$(UNIT_BIN) --jobs 2

http: all
	@bash tests/run-http.sh

test: unit http

bench: all
	@sh deploy/install-deps.sh --bench
	@bash tests/bench/run.sh

-include $(shell find $(B) -name '*.d' 2>/dev/null)
