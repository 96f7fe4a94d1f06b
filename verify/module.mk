# verify/: `passthru verify` — the isolation check battery (check-*.c), its
# result model (result.c) and report writers (out-*.c).  Built into the
# command; tests/unit/test-verify-*.c link it through $(VERIFY_A).
VERIFY_SRCS := $(sort $(wildcard verify/*.c))
TOOL_SRCS += $(VERIFY_SRCS)

VERIFY_A := $(BUILD)/libverify.a
VERIFY_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(VERIFY_SRCS))

$(VERIFY_A): $(VERIFY_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# More specific than tests/unit's generic rule (GNU make picks the pattern
# with the shortest stem), so verify's unit tests also link the battery.
$(BUILD)/tests/unit/test-verify-%: $(BUILD)/obj/tests/unit/test-verify-%.o $(VERIFY_A) $(LIBPT_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(VERIFY_A) $(LIBPT_A) $(LDLIBS) -lcriterion
