# bench/: benchmarks, run by `make bench` (never by `make check`: timing
# goals are reported, not asserted).  Generic: a benchmark is one file,
#   bench/bench-NAME.sh   run with bash, or
#   bench/bench-NAME.c    built against libpassthru into $(BUILD)/bench/,
# and becomes target bench-NAME in BENCH_TARGETS; no edit here needed.
# Each gets in its environment PASSTHRU (the command), BENCH_TREE (the
# generated 2,000-device tree, tests/fixtures/gen ... bench) and BENCH_RUNS
# (repetitions; `make bench BENCH_RUNS=51`).
BENCH_RUNS  ?= 21
BENCH_DIR   := $(BUILD)/fixtures-bench
BENCH_TREE  := $(BENCH_DIR)/bench
BENCH_STAMP := $(BENCH_DIR)/.stamp
BENCH_ENV    = PASSTHRU=$(PASSTHRU) BENCH_TREE=$(BENCH_TREE) BENCH_RUNS=$(BENCH_RUNS)
BENCH_SH    := $(sort $(wildcard bench/bench-*.sh))
BENCH_C     := $(sort $(wildcard bench/bench-*.c))
BENCH_SH_T  := $(patsubst bench/%.sh,%,$(BENCH_SH))
BENCH_C_T   := $(patsubst bench/%.c,%,$(BENCH_C))

$(BENCH_STAMP): tests/fixtures/gen
	rm -rf $(BENCH_DIR)
	mkdir -p $(BENCH_DIR)
	python3 tests/fixtures/gen $(BENCH_DIR) bench
	touch $@

$(BENCH_SH_T): bench-%: bench/bench-%.sh $(PASSTHRU) $(BENCH_STAMP)
	$(BENCH_ENV) bash $<

$(BUILD)/bench/bench-%: bench/bench-%.c $(LIBPT_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBPT_A) $(LDLIBS)

$(filter-out bench-vmm,$(BENCH_C_T)): bench-%: $(BUILD)/bench/bench-% $(PASSTHRU) $(BENCH_STAMP)
	$(BENCH_ENV) $<

# bench-vmm needs KVM: this host's, or the lab's nested one (with QEMU
# carried into the lab for the microvm peer).  Every figure says where.
$(BUILD)/lab-bin/bench-vmm: $(BUILD)/bench/bench-vmm
	@mkdir -p $(dir $@)
	cp $< $@
LAB_BINS += $(BUILD)/lab-bin/bench-vmm
bench-vmm: $(BUILD)/bench/bench-vmm $(PASSTHRU) $$(VMM_PROBE) lab-bins
	BENCH_RUNS=$(BENCH_RUNS) LAB_WITH=qemu VMM_LAB_KERNEL=iommufd tests/vmm/where.sh auto $(BUILD) $(VMM_PROBE) \
		"$(BENCH_ENV) $<" \
		"BENCH_RUNS=5 BENCH_EXITS=20000 PASSTHRU=/opt/passthru/bin/passthru BENCH_GUEST_DIR=/opt/passthru/files/guest BENCH_WHERE='the lab VM (nested KVM under QEMU TCG: use the ratios)' bench-vmm"

.PHONY: $(BENCH_SH_T) $(BENCH_C_T)
BENCH_TARGETS += $(BENCH_SH_T) $(BENCH_C_T)
CLEAN_DIRS += $(BENCH_DIR)
