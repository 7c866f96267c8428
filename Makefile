# ginv — build, test, demo, bench. `make help` lists the targets.
CC      ?= cc
OPT     ?= -O3
CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -pthread -MMD -MP -Iinclude -Isrc
LDLIBS  += -lopenblas -lcjson -lpng -lz -lglpk -lsqlite3 -lfftw3 -lm -pthread

# MPI (distributed sweeps) when OpenMPI's mpicc is present; GINV_MPI=0 opts out.
GINV_MPI ?= $(if $(shell command -v mpicc 2>/dev/null),1,0)
ifeq ($(GINV_MPI),1)
CFLAGS  += -DGINV_HAVE_MPI $(shell mpicc --showme:compile)
LDLIBS  += $(shell mpicc --showme:link)
endif

BUILD   := build
LIB_SRC := $(sort $(wildcard src/*/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
TEST_SRC:= $(sort $(wildcard tests/unit/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ:= $(TEST_SRC:%.c=$(BUILD)/%.o)

FUZZ_TARGETS := $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address -std=c11 -D_GNU_SOURCE -Iinclude -Isrc

.PHONY: all deps test demo bench bench-sample bench-sweep fuzz clean help
all: $(BUILD)/ginv

help:
	@echo "make            build build/ginv and build/libginv.a"
	@echo "make deps       install the Debian packages the build needs (idempotent)"
	@echo "make test       deps + build + unit and command-line tests"
	@echo "make demo       deps + build + the main job: CSGM vs Lasso on Fashion-MNIST (ginv demo)"
	@echo "make bench      ginv vs PyTorch vs a plain BLAS chain (docs/benchmarks.md)"
	@echo "make bench-sample  ULA sampling: ginv vs a PyTorch ULA vs the BLAS chain (docs/benchmarks.md)"
	@echo "make bench-sweep   units/s of a 20-cell x 30-trial recovery sweep, 1 vs 2 threads and ranks"
	@echo "make fuzz       build the libFuzzer targets (clang) into build/fuzz/"

deps:
	@scripts/deps.sh

$(BUILD)/libginv.a: $(LIB_OBJ)
	ar rcs $@ $^

$(BUILD)/ginv: $(CLI_OBJ) $(BUILD)/libginv.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/test_unit: $(TEST_OBJ) $(BUILD)/libginv.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

test: deps
	@$(MAKE) --no-print-directory -j$$(nproc) $(BUILD)/ginv $(BUILD)/test_unit
	@tests/run.sh

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

fuzz:
	@mkdir -p $(BUILD)/fuzz
	@for t in $(FUZZ_TARGETS); do echo "  fuzz $$t"; \
	  clang $(FUZZ_FLAGS) -o $(BUILD)/fuzz/$$t tests/fuzz/$$t.c $(LIB_SRC) $(LDLIBS) || exit 1; done

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
