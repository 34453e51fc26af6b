# milvus-cdc-pipe — plain GNU make, no configure.  User CC/CFLAGS/LDFLAGS are respected.
VERSION  = 0.1.0
PKGS     = rdkafka libprotobuf-c msgpack jansson libcurl
PREFIX  ?= /usr/local
MANDIR  ?= $(PREFIX)/share/man
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Wno-unused-parameter $(if $(WERROR),-Werror)
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Icommon -Ibuild/proto \
            -DCDC_VERSION='"$(VERSION)"'
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=c11 $(CFLAGS) $(PKG_CFLAGS) -MMD -MP
LDLIBS  += $(PKG_LIBS) -lm
ifdef SANITIZE   # make SANITIZE=address,undefined check
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS    += -fsanitize=$(SANITIZE)
endif

TOOLS     = cdc-read cdc-write-kafka cdc-write-milvus cdc-write-json
MAN1      = $(TOOLS:%=man/%.1)
PROTOS    = $(wildcard common/proto/*.proto)
PROTO_C   = $(PROTOS:common/proto/%.proto=build/proto/%.pb-c.c)
PROTO_H   = $(PROTO_C:.c=.h)
LIB_SRC   = $(wildcard common/*.c)
LIB_OBJ   = $(LIB_SRC:%.c=build/%.o) $(PROTO_C:.c=.o)
HELPERS   = $(patsubst tests/helpers/%.c,build/%,$(wildcard tests/helpers/*.c))
PRELOADS  = $(patsubst tests/helpers/preload/%.c,build/%.so,\
            $(wildcard tests/helpers/preload/*.c))
UNIT_SRC  = $(wildcard tests/unit/test_*.c)
UNIT_OBJ  = $(UNIT_SRC:%.c=build/%.o) build/tests/unit/runner.o
DEPS      = $(wildcard build/*.d build/*/*.d build/*/*/*.d)

.PHONY: all deps check check-build check-unit check-e2e demo bench asan valgrind \
        lint install clean fmt-exhaustive
all: $(TOOLS) $(HELPERS) $(PRELOADS)

# `make check` and `make demo` install what is missing first, then rebuild in a
# sub-make so pkg-config sees the new packages.
deps:
	@scripts/install-deps.sh
check: deps
	@$(MAKE) --no-print-directory check-build
	@scripts/check.sh
check-build: all build/unit-tests
check-unit: build/unit-tests
	build/unit-tests
check-e2e: all
	prove -f tests/e2e/[0-9]*.sh
demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh
bench: deps
	@$(MAKE) --no-print-directory all
	@scripts/bench.sh
asan:
	$(MAKE) clean
	$(MAKE) check SANITIZE=address,undefined
valgrind: check-build
	CDC_VALGRIND=1 scripts/check.sh
lint: all
	scripts/lint.sh
# every float through cdc_fmt_float(), the halves on two cores (minutes)
fmt-exhaustive: build/fmt-exhaustive
	build/fmt-exhaustive 0 7fffffff & p=$$!; \
	build/fmt-exhaustive 80000000 ffffffff; s=$$?; \
	wait $$p && exit $$s

build/proto/%.pb-c.c build/proto/%.pb-c.h: common/proto/%.proto
	@mkdir -p build/proto
	protoc-c --c_out=build/proto --proto_path=common/proto $<
build/proto/%.pb-c.o: build/proto/%.pb-c.c $(PROTO_H)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -w -c -o $@ $<
build/%.o: %.c $(PROTO_H)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(WARN) -c -o $@ $<
build/libcdc.a: $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^
$(TOOLS): %: build/%.o build/libcdc.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
build/%: build/tests/helpers/%.o build/libcdc.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
# LD_PRELOAD interposers for the tests; never sanitized (a sanitized
# binary loads its runtime first, the interposer comes in after it).
build/%.so: tests/helpers/preload/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=c11 $(CFLAGS) $(PKG_CFLAGS) $(WARN) -fPIC -shared \
	    -o $@ $< $(shell pkg-config --libs rdkafka) -ldl

# The unit runner's table is generated from the T_TEST(name) lines.
build/tests/unit/tests.inc: $(UNIT_SRC)
	@mkdir -p $(@D)
	sed -n 's/^T_TEST(\([a-z0-9_]*\)).*/T_ENTRY(\1)/p' $(UNIT_SRC) > $@.tmp && mv $@.tmp $@
build/tests/unit/runner.o: build/tests/unit/tests.inc
build/tests/unit/runner.o: CPPFLAGS += -Ibuild/tests/unit
build/unit-tests: $(UNIT_OBJ) build/libcdc.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(wildcard $(MAN1)) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/cdc-stream.5 $(DESTDIR)$(MANDIR)/man5/
clean:
	rm -rf build $(TOOLS)

.SECONDARY: $(PROTO_C) $(PROTO_H)
-include $(DEPS)
