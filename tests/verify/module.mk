# tests/verify/: schema validation of `passthru verify` reports.  A fixed
# report is written by each writer (sample-report) and checked by a TAP 14 /
# JUnit / JSON validator (validate.py, python3 stdlib), which also proves on
# broken documents that it can fail.
VERIFY_SAMPLE := $(BUILD)/tests/verify/sample-report

$(VERIFY_SAMPLE): $(BUILD)/obj/tests/verify/sample-report.o $(VERIFY_A) $(LIBPT_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(VERIFY_A) $(LIBPT_A) $(LDLIBS)

.PHONY: check-verify-formats
check-verify-formats: $(VERIFY_SAMPLE)
	NEED=python3 scripts/run-suite $(BUILD)/results verify-formats tests/verify/run-formats.sh $<

CHECK_TARGETS += check-verify-formats
SAN_CHECK_TARGETS += check-verify-formats

.PHONY: check-verify-cli
check-verify-cli: $(PASSTHRU) $(FIXTURES_STAMP)
	scripts/run-suite $(BUILD)/results verify-cli tests/verify/run-cli.sh $(PASSTHRU) $(FIXTURES_DIR)

CHECK_TARGETS += check-verify-cli
SAN_CHECK_TARGETS += check-verify-cli

# The verify-* lab cases' helper (tests/lab/cases/verify-*.sh) rides in the
# lab's PATH; their host-side halves run tests/verify/lab-report.sh.
$(BUILD)/lab-bin/lab-verify: $(BUILD)/obj/tests/verify/lab-verify.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $<
LAB_BINS += $(BUILD)/lab-bin/lab-verify
all: $(BUILD)/lab-bin/lab-verify
