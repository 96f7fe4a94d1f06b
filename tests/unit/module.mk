# tests/unit/: Criterion unit tests, one binary per file tests/unit/test-NAME.c,
# linked against libpassthru.  Each runs as its own suite (and again under
# ASan/UBSan), so one broken file does not hide the others' results.
UNIT_SRCS  := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
UNIT_CHECKS := $(patsubst tests/unit/%.c,check-unit-%,$(UNIT_SRCS))

$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(LIBPT_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBPT_A) $(LDLIBS) -lcriterion

$(UNIT_CHECKS): check-unit-%: $(BUILD)/tests/unit/%
	scripts/run-suite $(BUILD)/results unit-$* $< --jobs 1

.PHONY: check-unit $(UNIT_CHECKS)
check-unit: $(UNIT_CHECKS)
CHECK_TARGETS += check-unit
SAN_CHECK_TARGETS += check-unit
