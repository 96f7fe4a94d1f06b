# tests/fuzz/: libFuzzer targets, one per file tests/fuzz/fuzz-NAME.c with a
# seed corpus in tests/fuzz/corpus/NAME/.  The library sources are rebuilt
# with clang and -fsanitize=fuzzer-no-link,address,undefined into
# build/fuzz/.  `make check` runs each target for FUZZ_SECONDS (a smoke run:
# it replays the corpus and explores a little); `make fuzz FUZZ_SECONDS=600`
# for a real session.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 10
# A fixed seed keeps `make check` reproducible; `make fuzz` explores at random.
FUZZ_SEED    ?= -seed=1
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -std=gnu11 \
	-D_GNU_SOURCE -I. -Ilib $(DEPS_CFLAGS)
FUZZ_SRCS    := $(sort $(wildcard tests/fuzz/fuzz-*.c))
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRCS))
FUZZ_LIB_OBJS = $(patsubst %.c,build/fuzz/obj/%.o,$(LIB_SRCS))

# With the headers' dependencies, as the main build: a struct that changes
# in a header rebuilds every object that uses it (a stale one fuzzes a
# layout that no longer exists and "crashes" on sound input).
build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -MMD -MP -c -o $@ $<

build/fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -MMD -MP -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB_OBJS) $(DEPS_LIBS)
-include $(shell find build/fuzz -name '*.d' 2>/dev/null)

check-fuzz-%: build/fuzz/fuzz-%
	@mkdir -p build/fuzz/corpus-$*
	scripts/run-suite $(BUILD)/results fuzz-$* $< -max_total_time=$(FUZZ_SECONDS) $(FUZZ_SEED) \
		-print_final_stats=1 build/fuzz/corpus-$* tests/fuzz/corpus/$*

.PHONY: check-fuzz fuzz
check-fuzz: $(patsubst tests/fuzz/fuzz-%.c,check-fuzz-%,$(FUZZ_SRCS))
fuzz:
	$(MAKE) check-fuzz FUZZ_SECONDS=600 FUZZ_SEED=
CHECK_TARGETS += check-fuzz
