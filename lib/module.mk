# lib/: discovery (libpci, libudev), the public header lib/passthru.h.
LIB_SRCS += $(sort $(wildcard lib/*.c))
PUBLIC_HEADERS += lib/passthru-inventory.h
