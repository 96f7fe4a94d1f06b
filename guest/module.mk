# guest/: the bare-metal guest of `passthru run` — a freestanding runtime
# (guest/start.S, rt.c, pci.c, irq.c) and one program per prog-NAME.c (or
# prog-NAME.S with no runtime), each linked at 1 MiB (guest/guest.ld) into a
# flat binary $(BUILD)/guest/NAME.bin.  The same device drivers as the host
# (drivers/*.c) are compiled with the guest's flags into the device programs:
# one driver source, two hosts.  guest/embed.c puts every binary into the
# passthru command, so `--guest NAME` needs no files.
#
# Flags: the nested /dev/kvm of the CI machines has no XSAVE and its
# instruction emulator fails on SSE-class instructions, so general registers
# only, no red zone (interrupts arrive on the same stack), no PIC.
GUEST_CC      ?= $(CC)
GUEST_CFLAGS  := -O2 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
	-ffreestanding -nostdlib -fno-builtin -mgeneral-regs-only -mno-red-zone \
	-fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fcf-protection=none -fno-tree-loop-distribute-patterns -I.
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,-T,guest/guest.ld \
	-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments

GUEST_RT_SRCS  := guest/start.S guest/rt.c guest/pci.c guest/irq.c guest/drv-env.c
GUEST_DRV_SRCS := $(sort $(wildcard drivers/*.c))
GUEST_C_PROGS  := $(patsubst guest/prog-%.c,%,$(sort $(wildcard guest/prog-*.c)))
GUEST_S_PROGS  := $(patsubst guest/prog-%.S,%,$(sort $(wildcard guest/prog-*.S)))
GUEST_BINS     := $(patsubst %,$(BUILD)/guest/%.bin,$(GUEST_C_PROGS) $(GUEST_S_PROGS))

guest_obj = $(patsubst %,$(BUILD)/guest/obj/%.o,$(basename $(1)))
GUEST_RT_OBJS  := $(call guest_obj,$(GUEST_RT_SRCS))
GUEST_DRV_OBJS := $(call guest_obj,$(GUEST_DRV_SRCS))

$(BUILD)/guest/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/guest/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<
-include $(shell find $(BUILD)/guest/obj -name '*.d' 2>/dev/null)

$(BUILD)/guest/%.elf: $(BUILD)/guest/obj/guest/prog-%.o $(GUEST_RT_OBJS) $(GUEST_DRV_OBJS) guest/guest.ld
	$(GUEST_CC) $(GUEST_LDFLAGS) -o $@ $< $(GUEST_RT_OBJS) $(GUEST_DRV_OBJS)
$(BUILD)/guest/%.bin: $(BUILD)/guest/%.elf
	objcopy -O binary $< $@

# The assembly-only programs get no runtime.
$(patsubst %,$(BUILD)/guest/%.elf,$(GUEST_S_PROGS)): $(BUILD)/guest/%.elf: $(BUILD)/guest/obj/guest/prog-%.o guest/guest.ld
	$(GUEST_CC) $(GUEST_LDFLAGS) -o $@ $<

.PRECIOUS: $(BUILD)/guest/%.elf $(BUILD)/guest/obj/%.o
.PHONY: guest
guest: $(GUEST_BINS)

TOOL_SRCS += guest/embed.c
$(BUILD)/obj/guest/embed.o: $(GUEST_BINS)
$(BUILD)/obj/guest/embed.o: override CFLAGS += -DGUEST_BIN_DIR='"$(BUILD)/guest"'
