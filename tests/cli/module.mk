# tests/cli/: Criterion tests that run the passthru command against the
# generated machine trees ($(BUILD)/fixtures, see tests/fixtures/) and this
# machine, and assert exact output.  One binary per tests/cli/test-NAME.c,
# linked with the helpers (cli.c: run + capture, jsonr.c: a JSON reader).
# Each runs as its own suite, and again under ASan/UBSan (build-san/passthru).
CLI_SRCS    := $(sort $(wildcard tests/cli/test-*.c))
CLI_BINS    := $(patsubst tests/cli/%.c,$(BUILD)/tests/cli/%,$(CLI_SRCS))
CLI_CHECKS  := $(patsubst tests/cli/test-%.c,check-cli-%,$(CLI_SRCS))
CLI_HELPERS := $(BUILD)/obj/tests/cli/cli.o $(BUILD)/obj/tests/cli/jsonr.o
CLI_ENV      = PT_BIN=$(PASSTHRU) PT_FIXTURES=$(BUILD)/fixtures PT_TMP=$(BUILD)/tmp/cli-$*

$(BUILD)/tests/cli/test-%: $(BUILD)/obj/tests/cli/test-%.o $(CLI_HELPERS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcriterion

$(CLI_CHECKS): check-cli-%: $(BUILD)/tests/cli/test-% $(PASSTHRU) $(BUILD)/fixtures/.stamp
	rm -rf $(BUILD)/tmp/cli-$*
	$(CLI_ENV) scripts/run-suite $(BUILD)/results cli-$* $< --jobs 2

.PHONY: check-cli $(CLI_CHECKS)
check-cli: $(CLI_CHECKS)
CHECK_TARGETS += check-cli
SAN_CHECK_TARGETS += check-cli
