# lib/: discovery (libpci, libudev), the public header lib/passthru.h.
LIB_SRCS += $(sort $(wildcard lib/*.c))
