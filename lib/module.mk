# lib/: discovery (libpci, libudev), the public header lib/passthru.h.
LIB_SRCS += $(sort $(wildcard lib/*.c))
PUBLIC_HEADERS += lib/passthru-inventory.h
# libpassthru(3): the API overview and the example tests/install compiles.
INSTALL_FILES += 0644:lib/libpassthru.3:$(MANDIR)/man3/libpassthru.3
