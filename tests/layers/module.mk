# tests/layers/: the include graph between folders runs one way (see
# check.sh); a new upward include fails `make check`.
.PHONY: check-layers
check-layers:
	scripts/run-suite $(BUILD)/results layers tests/layers/check.sh
CHECK_TARGETS += check-layers
