# vfio/: device access through VFIO (regions, config space, irqs, reset).
LIB_SRCS += $(sort $(wildcard vfio/*.c))
PUBLIC_HEADERS += vfio/passthru-vfio.h

# Lab test programs of the VFIO core (run inside the lab VM by
# tests/lab/cases/vfio-*.sh), linked with the library.
VFIO_LAB_SRCS := $(sort $(wildcard vfio/tests/*.c))
VFIO_LAB_BINS := $(patsubst vfio/tests/%.c,$(BUILD)/lab-bin/%,$(VFIO_LAB_SRCS))
LAB_BINS += $(VFIO_LAB_BINS)
all: $(VFIO_LAB_BINS)

$(BUILD)/lab-bin/vfio-%: $(BUILD)/obj/vfio/tests/vfio-%.o $(LIBPT_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBPT_A) $(LDLIBS)
.PRECIOUS: $(BUILD)/obj/vfio/tests/%.o
