# tests/api/: libpassthru used the way another project uses it — the
# installed <passthru.h> (a copy of the headers `make install` installs,
# and nothing else on the include path) and the shared library.  check-api
# (tests/api/check.sh) shows that such a program cannot move a blocked
# group without force, and that the library exports no step machine to go
# around the transaction.  api-guard also goes to the lab (assign-api).
API_INC   := $(BUILD)/api-include
API_GUARD := $(BUILD)/tests/api/api-guard
LAB_BINS  += $(BUILD)/lab-bin/api-guard

$(API_INC)/passthru.h: lib/passthru.h
	@mkdir -p $(dir $@)
	install -m 0644 $< $@

# Strict C11, no _GNU_SOURCE, no -I. -Ilib: what a stranger's build has.
$(API_GUARD): tests/api/api-guard.c $(API_INC)/passthru.h $(LIBPT_SO)
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -std=c11 -Wall -Wextra -pedantic -I$(API_INC) -o $@ $< \
		$(abspath $(LIBPT_SO)) -Wl,-rpath,$(abspath $(BUILD))

$(BUILD)/lab-bin/api-guard: $(API_GUARD)
	@mkdir -p $(dir $@)
	install -m 0755 $< $@

.PHONY: check-api
check-api: $(API_GUARD) $(LIBPT_SO) $(BUILD)/fixtures/.stamp
	CC="$(CC)" scripts/run-suite $(BUILD)/results api tests/api/check.sh $(BUILD) \
		$(BUILD)/fixtures
CHECK_TARGETS += check-api
