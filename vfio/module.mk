# vfio/: device access through VFIO (regions, config space, irqs, reset).
LIB_SRCS += $(sort $(wildcard vfio/*.c))
PUBLIC_HEADERS += vfio/passthru-vfio.h
