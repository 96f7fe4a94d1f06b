# tools/: the passthru command — one file per sub-command (cmd-*.c).
TOOL_SRCS += tools/passthru.c $(filter-out tools/passthru.c,$(sort $(wildcard tools/*.c)))
