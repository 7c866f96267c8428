# ginv — build, test, demo, bench. `make help` lists the targets.
# The user's CC, CFLAGS, CPPFLAGS, LDFLAGS and LDLIBS are honoured: what the
# build cannot do without (-Iinclude, -std=c11, the libraries) is kept apart in
# GINV_* variables and added to them, never replaced by them.
CC      ?= cc
OPT     ?= -O3
CFLAGS  ?= $(OPT) -g
GINV_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -pthread -MMD -MP -Iinclude -Isrc
GINV_LIBS   := -lopenblas -lcjson -lpng -lz -lglpk -lsqlite3 -lfftw3 -lprotobuf-c -lnetcdf -lm -pthread

# MPI (distributed sweeps) when OpenMPI's mpicc is present; GINV_MPI=0 opts out.
GINV_MPI ?= $(if $(shell command -v mpicc 2>/dev/null),1,0)
ifeq ($(GINV_MPI),1)
GINV_CFLAGS += -DGINV_HAVE_MPI $(shell mpicc --showme:compile)
GINV_LIBS   += $(shell mpicc --showme:link)
endif

ALL_CFLAGS = $(GINV_CFLAGS) $(CPPFLAGS) $(CFLAGS)
LINK       = $(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(GINV_LIBS)

# The library: build/libginv.so.$(GINV_VERSION) (soname libginv.so.0, the ABI
# number we keep) and build/libginv.a, both from the same position-independent
# objects (-fno-semantic-interposition and -Bsymbolic-functions keep calls
# inside the library direct). Only ginv_* symbols are exported (src/libginv.map).
GINV_VERSION := $(shell sed -n 's/^\#define GINV_VERSION "\(.*\)"/\1/p' include/ginv/base.h)
GINV_SOVER   := 0
GINV_SONAME  := libginv.so.$(GINV_SOVER)
GINV_SOFILE  := libginv.so.$(GINV_VERSION)
GINV_PIC     := -fPIC -fno-semantic-interposition
SO_LDFLAGS   := -shared -Wl,-soname,$(GINV_SONAME) -Wl,--version-script=src/libginv.map \
                -Wl,-Bsymbolic-functions -Wl,-z,defs

# Installation (make install PREFIX=... DESTDIR=...). The ginv binary finds
# libginv.so.0 beside itself (build/) or in ../lib (PREFIX/bin -> PREFIX/lib).
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
DATAROOTDIR ?= $(PREFIX)/share
MANDIR      ?= $(DATAROOTDIR)/man
DOCDIR      ?= $(DATAROOTDIR)/doc/ginv
PKGCONFIGDIR?= $(LIBDIR)/pkgconfig
INSTALL     ?= install
MAN1_PAGES  := $(shell scripts/man.sh --list)
EXAMPLES    := $(sort $(wildcard examples/*.c)) examples/README.md
HEADERS     := $(sort $(wildcard include/ginv/*.h))
DOC_FILES   := README.md $(shell find docs -type f 2>/dev/null | LC_ALL=C sort) $(EXAMPLES)

BUILD   ?= build
LIB_SRC := $(sort $(wildcard src/*/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
TEST_SRC:= $(sort $(wildcard tests/unit/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/onnx.pb-c.o
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ:= $(TEST_SRC:%.c=$(BUILD)/%.o)

# libFuzzer targets (clang): the library compiled once with coverage and
# ASan + UBSan into $(FUZZ_DIR)/libginv_fuzz.a, each target linked against it.
FUZZ_TARGETS := $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_CC      ?= clang
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_FLAGS   := -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE -pthread -Iinclude -Isrc -I$(BUILD)/gen
FUZZ_LIBS    := -lopenblas -lcjson -lpng -lz -lglpk -lsqlite3 -lfftw3 -lprotobuf-c -lnetcdf -lm -pthread
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_DIR)/%.o) $(FUZZ_DIR)/gen/onnx.pb-c.o
SECONDS      ?= 20

.PHONY: bench-stan bench-conv bench-onednn encoder-wall encoder-theorem1 encoder-theorem1-smooth encoder-vae all deps test test-asan test-onnx test-oracles demo bench bench-sample bench-sweep fuzz fuzz-run clean help lib man install uninstall
all: $(BUILD)/ginv lib
lib: $(BUILD)/libginv.a $(BUILD)/libginv.so

help:
	@echo "make            build build/ginv, build/libginv.so (soname libginv.so.0) and build/libginv.a"
	@echo "make man        the man pages into build/man/: ginv(1), one per command (help2man), libginv(3)"
	@echo "make install    PREFIX=/usr/local DESTDIR=: library, ginv.h and ginv/*.h, ginv.pc, ginv, man pages, docs"
	@echo "make uninstall  remove what make install put there (same PREFIX and DESTDIR)"
	@echo "make deps       install the Debian packages the build needs (idempotent)"
	@echo "make test       deps + build + unit and command-line tests"
	@echo "make test-asan  the same tests built with ASan + UBSan (build/asan/), any report fails"
	@echo "make test-onnx  ginv's ONNX export checked by the ONNX project's checker (python3-onnx)"
	@echo "make test-oracles  sample's R-hat, ESS, MCSE and quantiles against R's posterior package"
	@echo "make demo       deps + build + the main job: CSGM vs Lasso on Fashion-MNIST (ginv demo)"
	@echo "make bench      ginv vs PyTorch vs a plain BLAS chain (docs/benchmarks.md)"
	@echo "make bench-sample  ULA sampling: ginv vs a PyTorch ULA vs the BLAS chain (docs/benchmarks.md)"
	@echo "make bench-stan    NUTS: ginv vs Stan (rstan) on the VAE inpainting posterior (docs/benchmarks.md)"
	@echo "make bench-sweep   units/s of a 20-cell x 30-trial recovery sweep, 1 vs 2 threads and ranks"
	@echo "make bench-onednn  conv_transpose2d layers: ginv (im2col + OpenBLAS) vs oneDNN, and the sgemm peak"
	@echo "make bench-conv    Adam-CSGM on the 64x64x3 DCGAN (ONNX) and the conv VAE decoder: ginv vs PyTorch autograd, B = 1 and 64"
	@echo "make fuzz       build the libFuzzer targets (clang, ASan + UBSan) into build/fuzz/"
	@echo "make encoder-wall  amortised encoders on the one-way G vs an invertible G (docs/encoders.md)"
	@echo "make encoder-theorem1  Theorem 1's constructed encoder vs amortised ones against MALA (docs/encoders.md)"
	@echo "make encoder-theorem1-smooth  the same on certified smooth_leaky nets, d = 10 and 20 (docs/encoders.md)"
	@echo "make encoder-vae       the shipped Gaussian VAE's encoder and GD -> ULA against MALA (docs/encoders.md)"
	@echo "make fuzz-run SECONDS=N  run each fuzz target N s (default 20) on a copy of its corpus; fails on any finding"

deps:
	@scripts/deps.sh

$(LIB_OBJ): GINV_CFLAGS += $(GINV_PIC)

# ONNX (src/io/onnx_*.c, docs/models.md): the C for Debian's onnx.proto
# (libonnx-dev) generated by protoc-c at build time into $(BUILD)/gen/, the
# package renamed ginv_onnx so that every generated symbol carries the
# library's prefix (the archive's globals stay ginv_*), compiled with hidden
# visibility so that libginv.so does not export it.
ONNX_PROTO ?= /usr/include/onnx/onnx.proto
ONNX_OBJ   := $(filter $(BUILD)/src/io/onnx_%.o,$(LIB_OBJ)) $(filter $(FUZZ_DIR)/src/io/onnx_%.o,$(FUZZ_LIB_OBJ)) \
              $(BUILD)/tests/unit/test_onnx.o
$(ONNX_OBJ): GINV_CFLAGS += -I$(BUILD)/gen
$(ONNX_OBJ): | $(BUILD)/gen/onnx.pb-c.h

$(BUILD)/gen/onnx.proto: $(ONNX_PROTO)
	@mkdir -p $(dir $@)
	sed 's/^package onnx;/package ginv_onnx;/' $< > $@.tmp && grep -q '^package ginv_onnx;' $@.tmp
	mv $@.tmp $@

$(BUILD)/gen/onnx.pb-c.c: $(BUILD)/gen/onnx.proto
	cd $(BUILD)/gen && protoc-c --c_out=. onnx.proto

$(BUILD)/gen/onnx.pb-c.h: $(BUILD)/gen/onnx.pb-c.c

$(BUILD)/gen/onnx.pb-c.o: $(BUILD)/gen/onnx.pb-c.c
	$(CC) $(ALL_CFLAGS) -fvisibility=hidden -w -c -o $@ $<

$(FUZZ_DIR)/gen/onnx.pb-c.o: $(BUILD)/gen/onnx.pb-c.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -fvisibility=hidden -w -c -o $@ $<

$(BUILD)/libginv.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/$(GINV_SOFILE): $(LIB_OBJ) src/libginv.map
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(SO_LDFLAGS) -o $@ $(LIB_OBJ) $(LDLIBS) $(GINV_LIBS)

$(BUILD)/$(GINV_SONAME) $(BUILD)/libginv.so: $(BUILD)/$(GINV_SOFILE)
	ln -sf $(GINV_SOFILE) $@

# The command links the shared library; build/test_unit the static archive.
$(BUILD)/ginv: $(CLI_OBJ) $(BUILD)/$(GINV_SOFILE) | $(BUILD)/$(GINV_SONAME) $(BUILD)/libginv.so
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/$(GINV_SOFILE) \
	  -Wl,-rpath,'$$ORIGIN:$$ORIGIN/../lib' $(LDLIBS) $(GINV_LIBS)

$(BUILD)/test_unit: $(TEST_OBJ) $(BUILD)/libginv.a
	$(LINK)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

test: deps
	@$(MAKE) --no-print-directory -j$$(nproc) $(BUILD)/ginv $(BUILD)/test_unit
	@tests/run.sh

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer, any
# report fatal, in its own build directory.
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
test-asan: deps
	@$(MAKE) --no-print-directory -j$$(nproc) BUILD=build/asan CFLAGS="$(ASAN_FLAGS)" \
	  LDFLAGS="$(ASAN_FLAGS)" build/asan/ginv build/asan/test_unit
	@ASAN_OPTIONS=abort_on_error=0:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  CFLAGS="$(ASAN_FLAGS)" LDFLAGS="$(ASAN_FLAGS)" GINV_BUILD=build/asan tests/run.sh

# The ONNX oracle: every fixture net and random nets exported by ginv, then
# onnx.checker.check_model(full_check=True) and ONNX shape inference under
# Debian's python3-onnx (tests/oracle/onnx_checker.py; a few seconds).
# The sampling oracle: ginv sample's per-coordinate diagnostics against the
# R package posterior (Vehtari et al.'s reference implementation), installed
# by deps --oracles (R, about 40 packages); tests/oracle/posterior_oracle.py.
test-oracles: deps
	@scripts/deps.sh --oracles
	@$(MAKE) --no-print-directory -j$$(nproc) $(BUILD)/ginv
	@/usr/bin/python3 tests/oracle/posterior_oracle.py $(BUILD)/ginv

test-onnx: deps
	@$(MAKE) --no-print-directory -j$$(nproc) $(BUILD)/ginv
	@/usr/bin/python3 tests/oracle/onnx_checker.py $(BUILD)/ginv

demo: deps
	@$(MAKE) --no-print-directory -j$$(nproc) $(BUILD)/ginv
	$(BUILD)/ginv demo

bench: deps
	@scripts/deps.sh --bench
	@$(MAKE) --no-print-directory -j$$(nproc) $(BUILD)/ginv
	bench/run.sh

# Stan as the peer (issue 15): rstan's NUTS vs ginv's on the VAE inpainting
# posterior; installs r-cran-rstan (scripts/deps.sh --stan) and posterior.
bench-stan: deps
	@scripts/deps.sh --stan
	@scripts/deps.sh --oracles
	@$(MAKE) --no-print-directory -j$$(nproc) $(BUILD)/ginv
	GINV=$(BUILD)/ginv bench/stan_peer.sh

bench-sample: deps
	@scripts/deps.sh --bench
	@$(MAKE) --no-print-directory -j$$(nproc) $(BUILD)/ginv
	bench/sample_run.sh

bench-conv: deps
	@scripts/deps.sh --bench
	@$(MAKE) --no-print-directory -j$$(nproc) $(BUILD)/ginv
	/usr/bin/python3 bench/conv_csgm.py $(BUILD)/ginv 2 500 $${ROUNDS:-3} 1:$${ITERS1:-30} 64:$${ITERS64:-4}

# ginv's conv_transpose2d against oneDNN's deconvolution (docs/benchmarks.md);
# the only target that needs libdnnl-dev: the library does not link it.
bench-onednn: deps
	@scripts/deps.sh --onednn
	@$(MAKE) --no-print-directory -j2 $(BUILD)/libginv.a
	BUILD=$(BUILD) RUNS=$${RUNS:-3} bench/conv_onednn.sh

# Pareek & Risteski's dichotomy in numbers (docs/encoders.md): about 5 minutes
encoder-wall: deps
	@$(MAKE) --no-print-directory -j$$(nproc) $(BUILD)/ginv
	@scripts/encoder_wall.sh $(BUILD)/encoder-wall

encoder-theorem1: deps
	@$(MAKE) --no-print-directory -j$$(nproc) $(BUILD)/ginv
	@scripts/encoder_theorem1.sh $(BUILD)/encoder-theorem1

encoder-theorem1-smooth: deps
	@$(MAKE) --no-print-directory -j$$(nproc) $(BUILD)/ginv
	@ROWS="200 0 0.001;200 100 0.001;200 500 0.001;200 2000 0.001" OBJS=sleep DLGS= \
	  scripts/encoder_theorem1.sh $(BUILD)/encoder-theorem1-smooth "10 20" 10 smooth_leaky

encoder-vae: deps
	@$(MAKE) --no-print-directory -j$$(nproc) $(BUILD)/ginv
	@scripts/encoder_vae.sh $(BUILD)/encoder-vae 20 5 3000 1e-4

bench-sweep: deps
	@$(MAKE) --no-print-directory -j$$(nproc) $(BUILD)/ginv
	bench/sweep_run.sh

fuzz: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)

$(FUZZ_DIR)/libginv_fuzz.a: $(FUZZ_LIB_OBJ)
	ar rcs $@ $^

$(FUZZ_DIR)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/scratch.h $(FUZZ_DIR)/libginv_fuzz.a
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_DIR)/libginv_fuzz.a $(FUZZ_LIBS)

fuzz-run: fuzz
	@tests/fuzz/run.sh $(FUZZ_DIR) $(SECONDS) $(FUZZ_TARGETS)

# Man pages: ginv(1) and one page per command and subcommand from its --help
# (help2man, scripts/man.sh), libginv(3) from man/libginv.3.in with the index
# of functions by module generated from the module headers include/ginv/*.h.
man: $(BUILD)/man/.stamp

$(BUILD)/man/.stamp: $(BUILD)/ginv $(BUILD)/$(GINV_SONAME) scripts/man.sh man/libginv.3.in include/ginv.h $(HEADERS)
	@scripts/man.sh $(BUILD)/ginv $(BUILD)/man $(GINV_VERSION)
	@touch $@

install: $(BUILD)/ginv lib man
	@scripts/ginv.pc.sh "$(PREFIX)" "$(LIBDIR)" "$(INCLUDEDIR)" "$(GINV_VERSION)" "$(GINV_MPI)" > $(BUILD)/ginv.pc
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
	  $(DESTDIR)$(INCLUDEDIR)/ginv $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	$(INSTALL) -m 755 $(BUILD)/ginv $(DESTDIR)$(BINDIR)/ginv
	$(INSTALL) -m 755 $(BUILD)/$(GINV_SOFILE) $(DESTDIR)$(LIBDIR)/$(GINV_SOFILE)
	ln -sf $(GINV_SOFILE) $(DESTDIR)$(LIBDIR)/$(GINV_SONAME)
	ln -sf $(GINV_SONAME) $(DESTDIR)$(LIBDIR)/libginv.so
	$(INSTALL) -m 644 $(BUILD)/libginv.a $(DESTDIR)$(LIBDIR)/libginv.a
	$(INSTALL) -m 644 $(BUILD)/ginv.pc $(DESTDIR)$(PKGCONFIGDIR)/ginv.pc
	$(INSTALL) -m 644 include/ginv.h $(DESTDIR)$(INCLUDEDIR)/ginv.h
	$(INSTALL) -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/ginv/
	$(INSTALL) -m 644 $(MAN1_PAGES:%=$(BUILD)/man/%) $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 644 $(BUILD)/man/libginv.3 $(DESTDIR)$(MANDIR)/man3/libginv.3
	@for f in $(DOC_FILES); do $(INSTALL) -D -m 644 "$$f" "$(DESTDIR)$(DOCDIR)/$$f" || exit 1; done
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ginv $(DESTDIR)$(LIBDIR)/$(GINV_SOFILE) \
	  $(DESTDIR)$(LIBDIR)/$(GINV_SONAME) $(DESTDIR)$(LIBDIR)/libginv.so \
	  $(DESTDIR)$(LIBDIR)/libginv.a $(DESTDIR)$(PKGCONFIGDIR)/ginv.pc \
	  $(DESTDIR)$(INCLUDEDIR)/ginv.h $(HEADERS:include/%=$(DESTDIR)$(INCLUDEDIR)/%) $(MAN1_PAGES:%=$(DESTDIR)$(MANDIR)/man1/%) \
	  $(DESTDIR)$(MANDIR)/man3/libginv.3 $(DOC_FILES:%=$(DESTDIR)$(DOCDIR)/%)
	@if [ -d "$(DESTDIR)$(DOCDIR)" ]; then find "$(DESTDIR)$(DOCDIR)" -depth -type d -empty -delete; fi
	@rmdir "$(DESTDIR)$(INCLUDEDIR)/ginv" 2>/dev/null || true
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

clean:
	rm -rf $(BUILD)

-include $(wildcard $(FUZZ_LIB_OBJ:.o=.d))
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)

# The Python module (python/ginv/, python/README.md) against this build's
# shared library, compared bit for bit with this build's CLI: pytest under
# the system Python (Debian's python3-numpy and python3-pytest, which
# scripts/deps.sh installs; the PyTorch test runs where python3-torch is).
.PHONY: python-test
python-test: $(BUILD)/libginv.so.0 $(BUILD)/ginv
	GINV_LIBRARY=$(abspath $(BUILD))/libginv.so.0 GINV_CLI=$(abspath $(BUILD))/ginv \
	  PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider python/tests
