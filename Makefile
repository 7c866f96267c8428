# ginv — build, test, demo, bench. `make help` lists the targets.
# The user's CC, CFLAGS, CPPFLAGS, LDFLAGS and LDLIBS are honoured: what the
# build cannot do without (-Iinclude, -std=c11, the libraries) is kept apart in
# GINV_* variables and added to them, never replaced by them.
CC      ?= cc
OPT     ?= -O3
CFLAGS  ?= $(OPT) -g
GINV_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -pthread -MMD -MP -Iinclude -Isrc
GINV_LIBS   := -lopenblas -lcjson -lpng -lz -lglpk -lsqlite3 -lfftw3 -lm -pthread

# MPI (distributed sweeps) when OpenMPI's mpicc is present; GINV_MPI=0 opts out.
GINV_MPI ?= $(if $(shell command -v mpicc 2>/dev/null),1,0)
ifeq ($(GINV_MPI),1)
GINV_CFLAGS += -DGINV_HAVE_MPI $(shell mpicc --showme:compile)
GINV_LIBS   += $(shell mpicc --showme:link)
endif

ALL_CFLAGS = $(GINV_CFLAGS) $(CPPFLAGS) $(CFLAGS)
LINK       = $(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(GINV_LIBS)

BUILD   ?= build
LIB_SRC := $(sort $(wildcard src/*/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
TEST_SRC:= $(sort $(wildcard tests/unit/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ:= $(TEST_SRC:%.c=$(BUILD)/%.o)

# libFuzzer targets (clang): the library compiled once with coverage and
# ASan + UBSan into $(FUZZ_DIR)/libginv_fuzz.a, each target linked against it.
FUZZ_TARGETS := $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_CC      ?= clang
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_FLAGS   := -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE -pthread -Iinclude -Isrc
FUZZ_LIBS    := -lopenblas -lcjson -lpng -lz -lglpk -lsqlite3 -lfftw3 -lm -pthread
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_DIR)/%.o)
SECONDS      ?= 20

.PHONY: all deps test test-asan demo bench bench-sample bench-sweep fuzz fuzz-run clean help
all: $(BUILD)/ginv

help:
	@echo "make            build build/ginv and build/libginv.a"
	@echo "make deps       install the Debian packages the build needs (idempotent)"
	@echo "make test       deps + build + unit and command-line tests"
	@echo "make test-asan  the same tests built with ASan + UBSan (build/asan/), any report fails"
	@echo "make demo       deps + build + the main job: CSGM vs Lasso on Fashion-MNIST (ginv demo)"
	@echo "make bench      ginv vs PyTorch vs a plain BLAS chain (docs/benchmarks.md)"
	@echo "make bench-sample  ULA sampling: ginv vs a PyTorch ULA vs the BLAS chain (docs/benchmarks.md)"
	@echo "make bench-sweep   units/s of a 20-cell x 30-trial recovery sweep, 1 vs 2 threads and ranks"
	@echo "make fuzz       build the libFuzzer targets (clang, ASan + UBSan) into build/fuzz/"
	@echo "make fuzz-run SECONDS=N  run each fuzz target N s (default 20) on a copy of its corpus; fails on any finding"

deps:
	@scripts/deps.sh

$(BUILD)/libginv.a: $(LIB_OBJ)
	ar rcs $@ $^

$(BUILD)/ginv: $(CLI_OBJ) $(BUILD)/libginv.a
	$(LINK)

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
	  GINV_BUILD=build/asan tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory -j$$(nproc) $(BUILD)/ginv
	$(BUILD)/ginv demo

bench: deps
	@scripts/deps.sh --bench
	@$(MAKE) --no-print-directory -j$$(nproc) $(BUILD)/ginv
	bench/run.sh

bench-sample: deps
	@scripts/deps.sh --bench
	@$(MAKE) --no-print-directory -j$$(nproc) $(BUILD)/ginv
	bench/sample_run.sh

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

clean:
	rm -rf $(BUILD)

-include $(wildcard $(FUZZ_LIB_OBJ:.o=.d))
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
