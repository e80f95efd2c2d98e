# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# One non-recursive build: bpf/*.bpf.c -> build/*.bpf.o -> build/*.skel.h; user/lib/*.c ->
# build/libarxdp.a; user/<program>/*.c -> build/<program>, plus tests and tools. `make help` lists the targets; V=1 shows commands.

OUTPUT ?= build
PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
SANITIZE ?=

CC ?= gcc
CLANG ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
PKG_CONFIG ?= pkg-config
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

PKGS := libbpf libxdp libxml-2.0 libcjson zlib libelf libcap
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# The drop-in and the CLI run one process per action, so start-up counts (docs/BENCHMARKS.md,
# start-up): libxml2 is not linked (but into arxdpd, below); the config module dlopen()s it
# when a file needs it (config_xml.c), which keeps ICU and libstdc++ out. libbpf, libxdp,
# libelf, zlib and libcap are linked statically (their Debian -dev packages ship the .a),
# which saves loading and relocating five more objects at every start. STATIC_LIBS=0 links
# them dynamically. No other link flag is set: measured on 2026-12-01 (`arxdp version`, 41
# rounds side by side), -Wl,-z,pack-relative-relocs (814 relative relocations, 19 KiB, packed
# into 224 bytes), -Wl,-O1 -Wl,--hash-style=gnu, and -Wl,--gc-sections with
# -ffunction-sections -fdata-sections (libbpf.a and libelf.a are not built in sections, so
# little goes) all stayed within 0.01x of /bin/true of the plain link; -Wl,-z,now cost 0.02x
# (it binds every libc symbol at start, lazy binding only those a run calls). PIE stays.
STATIC_LIBS ?= 1
STATIC_PKGS := libxdp libbpf libelf zlib libcap
DYNAMIC_PKGS := $(filter-out libxml-2.0 $(STATIC_PKGS),$(PKGS))
ifeq ($(STATIC_LIBS),1)
PKG_LIBS := -Wl,-Bstatic $(shell $(PKG_CONFIG) --libs --static $(STATIC_PKGS) 2>/dev/null) \
	    -Wl,-Bdynamic $(shell $(PKG_CONFIG) --libs $(DYNAMIC_PKGS) 2>/dev/null)
else
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(STATIC_PKGS) $(DYNAMIC_PKGS) 2>/dev/null)
endif

# The one place the version is set; every program and the docs' examples read it from here.
ARXDP_VERSION := 0.1.0

WARNINGS := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	    -Wmissing-declarations -Wformat=2 -Wno-unused-parameter
CFLAGS ?= -O2 -g
ALL_CFLAGS := $(CFLAGS) $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -MMD -MP \
	      -DARXDP_VERSION='"$(ARXDP_VERSION)"' -Ibpf -Iuser -Iuser/lib -I$(OUTPUT) $(PKG_CFLAGS)
ALL_LDFLAGS := $(LDFLAGS)
ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif
LIBS := $(PKG_LIBS) -lm

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -Ibpf \
	      $(if $(MULTIARCH),-idirafter /usr/include/$(MULTIARCH))

# Library modules in user/lib/ (libarxdp.a); each program in user/<name>/, whose main.c holds
# main() and whose other files form prog-<name>.a, so that tests can link a program's parts.
PROG_NAMES := arxdp arxdpd firewall-drop
PROGS := $(addprefix $(OUTPUT)/,$(PROG_NAMES))
LIB_SRCS := $(wildcard user/lib/*.c)
LIB_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(LIB_SRCS))
LIB := $(OUTPUT)/libarxdp.a
prog_objs = $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(filter-out user/$(1)/main.c,$(wildcard user/$(1)/*.c)))
PROG_LIBS := $(foreach p,$(PROG_NAMES),$(OUTPUT)/prog-$(p).a)

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))

TOOL_SRCS := $(wildcard tools/*.c)
TOOLS := $(patsubst tools/%.c,$(OUTPUT)/tools/%,$(TOOL_SRCS))
TOOL_BPF_SRCS := $(wildcard tools/*.bpf.c)
TOOL_SKELS := $(patsubst tools/%.bpf.c,$(OUTPUT)/tools/%.skel.h,$(TOOL_BPF_SRCS))
TOOLS := $(filter-out $(patsubst tools/%.bpf.c,$(OUTPUT)/tools/%.bpf,$(TOOL_BPF_SRCS)),$(TOOLS))
# tools/trafficgen-*.c are parts of trafficgen (one command builds it: see its rule), not tools.
TRAFFICGEN_PARTS := $(wildcard tools/trafficgen-*.c)
TOOLS := $(filter-out $(patsubst tools/%.c,$(OUTPUT)/tools/%,$(TRAFFICGEN_PARTS)),$(TOOLS))

UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/unit/%,$(wildcard tests/unit/test_*.c))
BPF_TESTS := $(patsubst tests/bpf/%.c,$(OUTPUT)/tests/bpf/%,$(wildcard tests/bpf/test_*.c))
TEST_BINS := $(UNIT_TESTS) $(BPF_TESTS)

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: pkg-check all test tests deps demo fuzz bench bench-check install uninstall clean help check-format format

all: $(PROGS) $(TOOLS)

help:
	@echo 'Targets:'
	@echo '  all           build the BPF object, skeleton and programs into $(OUTPUT)/'
	@echo '  test          install missing Debian packages, build, run every test tier (root)'
	@echo '  tests         build the test binaries only'
	@echo '  demo          run arxdpd on conf/demo with throwaway hosts and a real alert (root)'
	@echo '  fuzz          run every libFuzzer target for FUZZ_SECONDS (default 60) each'
	@echo '  bench         run the benchmarks and write docs/BENCHMARKS.md (root)'
	@echo '  bench-check   fail when the hit, drop or clean path regresses >20%, or the'
	@echo '                drop-in/CLI start-up exceeds 1.6x /bin/true (root)'
	@echo '  install       install under DESTDIR/PREFIX (PREFIX=$(PREFIX))'
	@echo '  uninstall     remove what install put in place'
	@echo '  check-format  clang-format --dry-run over every C source'
	@echo '  format        clang-format -i over every C source'
	@echo '  deps          install the Debian packages build, tests and benchmarks need'
	@echo '  clean         remove $(OUTPUT)/'
	@echo 'Variables: V=1 (show commands), SANITIZE=address,undefined, OUTPUT, PREFIX, DESTDIR,'
	@echo '           STATIC_LIBS=0 (link libbpf, libxdp, libelf, zlib, libcap dynamically)'

$(OUTPUT) $(OUTPUT)/tests/unit $(OUTPUT)/tests/bpf $(OUTPUT)/tools:
	$(Q)mkdir -p $@

# BPF: compile, link through bpftool (which also rejects an object without programs), and
# generate the skeleton. Compiler output is never hidden.
$(OUTPUT)/%.tmp.bpf.o: bpf/%.bpf.c bpf/arxdp.h $(wildcard bpf/*.bpf.h) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/%.bpf.o: $(OUTPUT)/%.tmp.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<
	$(Q)test -s $@ || { echo "BPF object $@ is empty" >&2; exit 1; }

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@.tmp
	$(Q)grep -q 'bpf_program' $@.tmp || { echo "skeleton $@ has no program" >&2; exit 1; }
	$(Q)mv $@.tmp $@

$(OUTPUT)/tools/%.tmp.bpf.o: tools/%.bpf.c | $(OUTPUT)/tools
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/tools/%.bpf.o: $(OUTPUT)/tools/%.tmp.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(OUTPUT)/tools/%.skel.h: $(OUTPUT)/tools/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$(notdir $*)) > $@.tmp && mv $@.tmp $@

# Only the loader includes the skeleton: a BPF edit rebuilds it and nothing else in user/.
$(OUTPUT)/user/lib/loader.o: $(SKELS)

$(OUTPUT)/user/%.o: user/%.c | pkg-check
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

.SECONDEXPANSION:
# An empty archive is valid: a program may be main.c alone.
$(OUTPUT)/prog-%.a: $$(call prog_objs,$$*) | $(OUTPUT)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# The daemon reads ossec.conf at every start and reload and its start-up does not count, so it
# links libxml2: a dlopen()ed one (ICU and libstdc++ with it, libstdc++ never unloaded) leaves
# memory in use at exit, which test-faults' valgrind check rightly counts. config_xml.c's
# dlopen() then finds it loaded.
$(OUTPUT)/arxdpd: LIBS += -Wl,--no-as-needed $(shell $(PKG_CONFIG) --libs libxml-2.0 2>/dev/null) \
	-Wl,--as-needed

$(PROGS): $(OUTPUT)/%: $(OUTPUT)/user/%/main.o $(OUTPUT)/prog-%.a $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LIBS) -o $@

# Tools may include any skeleton of tools/*.bpf.c as "<name>.skel.h".
$(OUTPUT)/tools/%: tools/%.c $(LIB) $(TOOL_SKELS) | $(OUTPUT)/tools
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -I$(OUTPUT)/tools $(ALL_LDFLAGS) $< $(LIB) $(LIBS) -lpthread -o $@

$(OUTPUT)/tools/trafficgen: tools/trafficgen.c $(TRAFFICGEN_PARTS) tools/trafficgen.h $(LIB) $(TOOL_SKELS) | $(OUTPUT)/tools
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -I$(OUTPUT)/tools $(ALL_LDFLAGS) $< $(TRAFFICGEN_PARTS) $(LIB) $(LIBS) -lpthread -o $@

$(OUTPUT)/tests/unit/%: tests/unit/%.c $(PROG_LIBS) $(LIB) | $(OUTPUT)/tests/unit
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests $(ALL_LDFLAGS) $< $(PROG_LIBS) $(LIB) $(LIBS) -lcriterion -o $@

$(OUTPUT)/tests/bpf/%: tests/bpf/%.c $(PROG_LIBS) $(LIB) | $(OUTPUT)/tests/bpf
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests $(ALL_LDFLAGS) $< $(PROG_LIBS) $(LIB) $(LIBS) -lcriterion -o $@

tests: all $(TEST_BINS)

# A missing -dev package is named before anything compiles, not found as a missing header.
pkg-check:
	$(Q)missing=; for p in $(PKGS); do $(PKG_CONFIG) --exists $$p || missing="$$missing $$p"; done; \
	[ -z "$$missing" ] || { echo "pkg-config cannot find:$$missing (install them: make deps)" >&2; exit 1; }

deps:
	$(Q)scripts/deps.sh

# The whole set-up on a fresh Debian 12 machine: packages, build, every tier, and a second
# pass of the user-space tiers built with ASan+UBSan (skipped with NO_SAN=1, or when the
# whole run is already sanitized with SANITIZE=...).
SAN_OUTPUT := $(OUTPUT)/sanitized
test: deps
	$(Q)$(MAKE) --no-print-directory tests
ifeq ($(SANITIZE)$(NO_SAN),)
	$(Q)$(MAKE) --no-print-directory OUTPUT=$(SAN_OUTPUT) SANITIZE=address,undefined tests
	$(Q)OUTPUT=$(OUTPUT) SAN_OUTPUT=$(SAN_OUTPUT) scripts/run-tests.sh
else
	$(Q)OUTPUT=$(OUTPUT) scripts/run-tests.sh
endif

# libFuzzer targets (clang, ASan+UBSan), each for a bounded time; FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
fuzz: deps
	$(Q)OUTPUT=$(OUTPUT) FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

# The main job on the bundled example: arxdpd, an attacker, a legitimate host, an alert.
demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)OUTPUT=$(OUTPUT) scripts/demo.sh

bench:
	$(Q)scripts/deps.sh --bench
	$(Q)$(MAKE) --no-print-directory all tests
	$(Q)OUTPUT=$(OUTPUT) scripts/bench.sh

# The unit-cost guard (bench-prog) and the drop/clean path guard (bench-paths: attack marginal
# against xdp-filter's ipv4 object at N = 1, 1k, 10k; clean at 1M against a bare XDP_PASS).
bench-check: deps
	$(Q)$(MAKE) --no-print-directory all tests
	$(Q)OUTPUT=$(OUTPUT) scripts/bench.sh --check
	$(Q)$(OUTPUT)/tools/bench-paths --check --baseline tools/bench-baseline.txt

# Installed layout. The programs go to sbin (firewall-drop too: scripts/wazuh-install.sh looks
# for it there and copies it into Wazuh's active-response/bin). The unit's /usr/sbin/ is
# rewritten to SBINDIR, so PREFIX=/usr/local installs a unit that starts what it installed.
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib/arxdp
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
STATEDIR ?= /var/lib/arxdp

install: $(PROGS) $(BPF_OBJS)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(COMPLETIONDIR) \
		$(DESTDIR)$(SYSCONFDIR)/arxdp
	install -d -m 0700 $(DESTDIR)$(STATEDIR)
	install -m 0755 $(PROGS) $(DESTDIR)$(SBINDIR)/
	install -m 0644 $(BPF_OBJS) $(DESTDIR)$(LIBDIR)/
	install -m 0755 scripts/wazuh-install.sh $(DESTDIR)$(LIBDIR)/
	install -m 0644 man/arxdp.8 man/arxdpd.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 man/arxdp.conf.5 $(DESTDIR)$(MANDIR)/man5/
	sed 's|/usr/sbin/|$(SBINDIR)/|g' conf/arxdpd.service >$(DESTDIR)$(UNITDIR)/arxdpd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/arxdpd.service
	install -m 0644 conf/arxdp.bash-completion $(DESTDIR)$(COMPLETIONDIR)/arxdp
	@# An existing configuration is the operator's: never overwritten, the new one goes next
	@# to it (as dpkg's .dist) so the differences can be reviewed.
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/arxdp/arxdp.conf ]; then \
		install -m 0644 conf/arxdp.conf $(DESTDIR)$(SYSCONFDIR)/arxdp/arxdp.conf.dist; \
		echo "kept $(DESTDIR)$(SYSCONFDIR)/arxdp/arxdp.conf; the shipped one is arxdp.conf.dist"; \
	else \
		install -m 0644 conf/arxdp.conf $(DESTDIR)$(SYSCONFDIR)/arxdp/arxdp.conf; \
	fi

# Removes what install put in place. The configuration goes only when it is still the shipped
# one; the state directory (blocks that outlive a reboot) always stays.
uninstall:
	@# Wazuh keeps working with arxdp's copies in its home, but only the script undoes them.
	@if [ -s $(DESTDIR)$(STATEDIR)/wazuh-orig/manifest ] || \
		dpkg-divert --list 2>/dev/null | grep -q '\.wazuh-orig$$'; then \
		echo "note: Wazuh programs are still arxdp's: run $(LIBDIR)/wazuh-install.sh --uninstall first to restore them"; \
	fi
	rm -f $(patsubst $(OUTPUT)/%,$(DESTDIR)$(SBINDIR)/%,$(PROGS))
	rm -rf $(DESTDIR)$(LIBDIR)
	rm -f $(DESTDIR)$(MANDIR)/man8/arxdp.8 $(DESTDIR)$(MANDIR)/man8/arxdpd.8 \
		$(DESTDIR)$(MANDIR)/man5/arxdp.conf.5
	rm -f $(DESTDIR)$(UNITDIR)/arxdpd.service $(DESTDIR)$(COMPLETIONDIR)/arxdp
	rm -f $(DESTDIR)$(SYSCONFDIR)/arxdp/arxdp.conf.dist
	@if cmp -s conf/arxdp.conf $(DESTDIR)$(SYSCONFDIR)/arxdp/arxdp.conf; then \
		rm -f $(DESTDIR)$(SYSCONFDIR)/arxdp/arxdp.conf; \
		rmdir $(DESTDIR)$(SYSCONFDIR)/arxdp 2>/dev/null || true; \
	elif [ -e $(DESTDIR)$(SYSCONFDIR)/arxdp/arxdp.conf ]; then \
		echo "kept $(DESTDIR)$(SYSCONFDIR)/arxdp/arxdp.conf (changed); state in $(DESTDIR)$(STATEDIR) kept"; \
	fi

C_SOURCES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find bpf user tests tools -name '*.[ch]')

check-format:
	$(Q)clang-format --dry-run --Werror $(C_SOURCES)

format:
	$(Q)clang-format -i $(C_SOURCES)

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)

-include $(wildcard $(OUTPUT)/user/*/*.d $(OUTPUT)/tests/*/*.d $(OUTPUT)/tools/*.d)
