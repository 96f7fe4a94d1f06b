# drivers/: userspace DMA-test device drivers (edu, e1000e) as small ops
# tables.  Freestanding sources (see drivers/driver.h): the host links them
# into libpassthru; the bare-metal guest compiles the same files itself.
LIB_SRCS += $(sort $(wildcard drivers/*.c))
PUBLIC_HEADERS += drivers/driver.h
