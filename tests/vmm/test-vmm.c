// SPDX-License-Identifier: MIT
/*
 * test-vmm.c — the VMM on this machine's /dev/kvm, no VFIO.
 *
 * Guests are the flat binaries of $(BUILD)/guest (GUEST_BIN_DIR, or
 * $VMM_GUEST_DIR where the suite runs inside the lab).  Every
 * assertion is exact: exit status, stop reason, serial text, memfd bytes,
 * fault message.  The exit-table and config-space tests need no KVM.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

#ifndef GUEST_BIN_DIR
#define GUEST_BIN_DIR "build/guest"
#endif

/* ---- helpers: __foo() returns -errno, foo() asserts --------------------- */

static int __load_guest(const char *name, void **img, size_t *len)
{
	const char *dir = getenv("VMM_GUEST_DIR");
	char path[256];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s.bin", dir ? dir : GUEST_BIN_DIR, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		close(fd);
		return -errno;
	}
	*img = malloc(st.st_size);
	*len = st.st_size;
	if (!*img || read(fd, *img, st.st_size) != st.st_size) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

static struct vmm *new_vm(uint64_t mem, unsigned int timeout_ms, const char *arg)
{
	struct vmm_config cfg = {
		.mem_size = mem,
		.timeout_ms = timeout_ms,
		.serial_capture = 64 << 10,
		.guest_arg = arg,
		.irqchip = true,
	};
	struct vmm *vm = NULL;
	int ret = vmm_create(&vm, &cfg);

	cr_assert_eq(ret, 0, "vmm_create: %s", pt_last_error());
	return vm;
}

static void boot(struct vmm *vm, const char *guest)
{
	void *img = NULL;
	size_t len = 0;

	cr_assert_eq(__load_guest(guest, &img, &len), 0, "guest %s missing", guest);
	cr_assert_eq(vmm_load_image(vm, img, len), 0, "%s", pt_last_error());
	free(img);
}

static struct vmm *run_guest(const char *guest, const char *arg,
			     unsigned int timeout_ms)
{
	struct vmm *vm = new_vm(32 << 20, timeout_ms, arg);

	boot(vm, guest);
	cr_assert_eq(vmm_run(vm), 0);
	return vm;
}

/* ---- the no-device guest -------------------------------------------------- */

Test(vmm, hello_serial_and_exit_code)
{
	struct vmm *vm = run_guest("hello", NULL, 10000);

	cr_assert_eq(vm->stop, VMM_STOP_EXIT);
	cr_assert_eq(vmm_status(vm), 0);
	cr_assert_str_eq(vm->serial_buf,
		"hello from the guest: 32 MiB RAM, long mode, apic 0\n"
		"pci 00:00.0 1b36:0008 class 060000\n"
		"pci: 1 function(s)\n");
	vmm_destroy(vm);
}

Test(vmm, exit_code_is_guest_value)
{
	static const struct { const char *arg; int status; } cases[] = {
		{ NULL, 42 }, { "0", 0 }, { "7", 7 }, { "255", 255 }, { "300", 44 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmm *vm = run_guest("exit-code", cases[i].arg, 10000);

		cr_assert_eq(vm->stop, VMM_STOP_EXIT);
		cr_assert_eq(vmm_status(vm), cases[i].status, "arg %s: status %d",
			     cases[i].arg, vmm_status(vm));
		vmm_destroy(vm);
	}
}

Test(vmm, timeout_stops_halted_guest)
{
	uint64_t t0 = vmm_now_ns();
	struct vmm *vm = run_guest("hang", NULL, 200);

	cr_assert_eq(vm->stop, VMM_STOP_TIMEOUT);
	cr_assert_eq(vmm_status(vm), VMM_STATUS_TIMEOUT);
	cr_assert_geq(vmm_now_ns() - t0, 200000000ULL);
	cr_assert_str_eq(vm->serial_buf, "hanging (halt)\n");
	vmm_destroy(vm);
}

Test(vmm, timeout_stops_spinning_guest)
{
	struct vmm *vm = run_guest("hang", "spin", 200);

	cr_assert_eq(vm->stop, VMM_STOP_TIMEOUT);
	cr_assert_eq(vmm_status(vm), 124);
	cr_assert_str_eq(vm->serial_buf, "hanging (spin)\n");
	vmm_destroy(vm);
}

Test(vmm, unmapped_address_is_a_clean_fault)
{
	static const char *addrs[] = { NULL, "0x2000000", "0xfe100000", "0xbffff000" };
	static const char *want[] = { "0x80000000", "0x2000000", "0xfe100000", "0xbffff000" };

	for (int i = 0; i < 4; i++) {
		struct vmm *vm = run_guest("unmapped", addrs[i], 10000);
		char msg[128];

		cr_assert_eq(vm->stop, VMM_STOP_FAULT);
		cr_assert_eq(vmm_status(vm), VMM_STATUS_FAULT);
		snprintf(msg, sizeof(msg),
			 "guest wrote 4 bytes at unmapped address %s (rip 0x", want[i]);
		cr_assert_eq(strncmp(vm->fault, msg, strlen(msg)), 0, "fault: %s", vm->fault);
		/* the write never completed: the next line was not printed */
		cr_assert_null(strstr(vm->serial_buf, "still running"));
		vmm_destroy(vm);
	}
}

Test(vmm, pci_garbage_without_devices)
{
	struct vmm *vm = run_guest("pci-garbage", NULL, 20000);

	cr_assert_eq(vmm_status(vm), 0, "serial: %s", vm->serial_buf);
	cr_assert(strstr(vm->serial_buf, "pci-garbage: 1 function(s), 0 problem(s)\n"));
	vmm_destroy(vm);
}

Test(vmm, pci_garbage_with_devices)
{
	struct vmm *vm = new_vm(32 << 20, 20000, NULL);
	struct vmm_membar mb[2];

	cr_assert_eq(vmm_membar_add(vm, &mb[0], 64 << 10), 0);
	cr_assert_eq(vmm_membar_add(vm, &mb[1], 4096), 0);
	boot(vm, "pci-garbage");
	vmm_run(vm);
	cr_assert_eq(vmm_status(vm), 0, "serial: %s", vm->serial_buf);
	cr_assert(strstr(vm->serial_buf, "pci-garbage: 3 function(s), 0 problem(s)\n"));
	/* the filtered writes were seen and dropped */
	cr_assert_gt(vm->pci_bad_accesses, 100);
	vmm_pci_exit(vm);
	vmm_membar_free(&mb[0]);
	vmm_membar_free(&mb[1]);
	vmm_destroy(vm);
}

Test(vmm, image_too_large_and_bad_mem)
{
	struct vmm_config cfg = { .mem_size = 1 << 20 };
	struct vmm *vm = NULL;
	static char big[3 << 20];

	cr_assert_eq(vmm_create(&vm, &cfg), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "vmm: guest memory must be a multiple of 4 KiB "
			 "between 2 MiB and 3 GiB (asked 1048576 bytes)");
	vm = new_vm(2 << 20, 0, NULL);
	cr_assert_eq(vmm_load_image(vm, big, sizeof(big)), -EFBIG);
	vmm_destroy(vm);
}

/* ---- a memfd standing in for a BAR ---------------------------------------- */

Test(vmm, membar_guest_writes_through_slot)
{
	struct vmm *vm = new_vm(32 << 20, 10000, NULL);
	struct vmm_membar mb;
	uint32_t *p, v;
	uint64_t size = 64 << 10;

	cr_assert_eq(vmm_membar_add(vm, &mb, size), 0, "%s", pt_last_error());
	cr_assert_eq(mb.dev.bar[0].guest_val, VMM_MMIO_BASE);
	boot(vm, "membar");
	vmm_run(vm);
	cr_assert_eq(vmm_status(vm), 0, "serial: %s fault: %s", vm->serial_buf, vm->fault);
	cr_assert_str_eq(vm->serial_buf,
		"membar: 00:01.0 BAR0 0xc0000000 size 0x10000\n"
		"membar: wrote 16384 dwords, moved BAR to 0xc0040000\n");
	/* read the memfd itself, not the mapping the VMM used */
	p = malloc(size);
	cr_assert_eq(pread(mb.fd, p, size, 0), (ssize_t)size);
	cr_assert_eq(p[0], 0x5a5a5a5a);		/* written after the move */
	for (uint32_t i = 1; i < size / 4; i++) {
		v = p[i];
		cr_assert_eq(v, 0xa5000000u | i, "dword %u: 0x%08x", i, v);
	}
	free(p);
	/* the BAR now decodes at the guest's address, through a slot */
	cr_assert_eq(mb.dev.bar[0].gpa, 0xc0040000ULL);
	cr_assert_geq(mb.dev.bar[0].slot, 1);
	/* the guest's writes went through the slot: no MMIO exits */
	cr_assert_eq(vm->nr_mmio_exits, 0);
	vmm_pci_exit(vm);
	vmm_membar_free(&mb);
	vmm_destroy(vm);
}

struct msi_ctx {
	struct vmm *vm;
	struct vmm_membar *mb;
	int fired;
};

/* Plays VFIO: waits for the guest's "READY" then signals the eventfd. */
static void *msi_host(void *arg)
{
	struct msi_ctx *c = arg;
	volatile uint32_t *flag = c->mb->map;
	uint64_t one = 1;

	for (int i = 0; i < 5000 && *flag != 0x52454459; i++)
		usleep(1000);
	if (*flag == 0x52454459 && c->mb->irq_efd >= 0 &&
	    write(c->mb->irq_efd, &one, 8) == 8)
		c->fired = 1;
	return NULL;
}

Test(vmm, msi_eventfd_irqfd_route_reaches_guest)
{
	struct vmm *vm = new_vm(32 << 20, 10000, NULL);
	struct vmm_membar mb;
	struct msi_ctx c = { vm, &mb, 0 };
	pthread_t t;

	cr_assert_eq(vmm_membar_add(vm, &mb, 4096), 0);
	boot(vm, "msi-wait");
	pthread_create(&t, NULL, msi_host, &c);
	vmm_run(vm);
	pthread_join(t, NULL);
	cr_assert_eq(c.fired, 1);
	cr_assert_eq(mb.irq_index, 1);		/* MSI */
	cr_assert_eq(mb.dev.msi_addr_lo, 0xfee00000);
	cr_assert_eq(mb.dev.msi_data, 0x41);
	cr_assert_eq(vmm_status(vm), 0, "serial: %s", vm->serial_buf);
	cr_assert_str_eq(vm->serial_buf, "msi-wait: vector 0x41 count 1\n");
	vmm_pci_exit(vm);
	vmm_membar_free(&mb);
	vmm_destroy(vm);
}

struct intx_ctx {
	struct vmm_membar *mb;
	int fired;
	uint64_t resampled;
};

/* Plays VFIO for INTx: trigger after READY, then expect the unmask. */
static void *intx_host(void *arg)
{
	struct intx_ctx *c = arg;
	volatile uint32_t *bar = c->mb->map;
	uint64_t one = 1, v;

	for (int i = 0; i < 5000 && bar[0] != 0x52454459; i++)
		usleep(1000);
	if (bar[0] != 0x52454459 || c->mb->irq_index != 0 ||
	    write(c->mb->irq_efd, &one, 8) != 8)
		return NULL;
	c->fired = 1;
	for (int i = 0; i < 5000; i++) {
		if (read(c->mb->unmask_fd, &v, 8) == 8) {
			c->resampled = v;
			break;
		}
		usleep(1000);
	}
	return NULL;
}

Test(vmm, intx_resampling_irqfd_reaches_guest_and_unmasks)
{
	struct vmm *vm = new_vm(32 << 20, 10000, NULL);
	struct vmm_membar mb;
	struct intx_ctx c = { &mb, 0, 0 };
	pthread_t t;

	cr_assert_eq(vmm_membar_add(vm, &mb, 4096), 0);
	/* INTx is live from the start: slot 1 -> IOAPIC pin 16 */
	cr_assert_eq(mb.irq_index, 0);
	cr_assert_geq(mb.unmask_fd, 0);
	cr_assert_eq(vmm_pci_cfg_read(vm, 1 << 3, 0x3c, 2), 0x0110);
	boot(vm, "intx-wait");
	pthread_create(&t, NULL, intx_host, &c);
	vmm_run(vm);
	pthread_join(t, NULL);
	cr_assert_eq(c.fired, 1);
	cr_assert_eq(c.resampled, 1, "resample eventfd count %llu",
		     (unsigned long long)c.resampled);
	cr_assert_eq(vmm_status(vm), 0, "serial: %s", vm->serial_buf);
	cr_assert_str_eq(vm->serial_buf, "intx-wait: IOAPIC pin 16 vector 0x42 count 1\n");
	cr_assert_eq(((uint32_t *)mb.map)[1], 1);	/* acked in the handler */
	vmm_pci_exit(vm);
	vmm_membar_free(&mb);
	vmm_destroy(vm);
}

struct msix_ctx {
	struct vmm_membar *mb;
	int fired;
};

/* Plays VFIO for MSI-X: signals vector 0 while the guest has it masked. */
static void *msix_host(void *arg)
{
	struct msix_ctx *c = arg;
	volatile uint32_t *bar = c->mb->map;
	uint64_t one = 1;

	for (int i = 0; i < 5000 && bar[0] != 0x4d41534b; i++)
		usleep(1000);
	if (bar[0] != 0x4d41534b || c->mb->irq_index != 2 ||
	    write(c->mb->irq_efd, &one, 8) != 8)
		return NULL;
	c->fired = 1;
	bar[2] = 1;
	return NULL;
}

Test(vmm, msix_masked_vector_is_pending_then_delivered_on_unmask)
{
	struct vmm *vm = new_vm(32 << 20, 10000, NULL);
	struct vmm_membar mb;
	struct msix_ctx c = { &mb, 0 };
	pthread_t t;

	cr_assert_eq(vmm_membar_add(vm, &mb, 4096), 0);
	boot(vm, "msix-mask");
	pthread_create(&t, NULL, msix_host, &c);
	vmm_run(vm);
	pthread_join(t, NULL);
	cr_assert_eq(c.fired, 1);
	cr_assert_eq(vmm_status(vm), 0, "serial: %s", vm->serial_buf);
	cr_assert_str_eq(vm->serial_buf,
		"msix-mask: masked: host fired 1, count 0, PBA 0x1\n"
		"msix-mask: unmasked: count 1, PBA 0x0\n");
	cr_assert_eq(mb.dev.msix_nr, 2);
	vmm_pci_exit(vm);
	vmm_membar_free(&mb);
	vmm_destroy(vm);
}

/* ---- config space, directly ------------------------------------------------ */

Test(vmm, bar_sizing_probe_and_filtering)
{
	struct vmm *vm = new_vm(2 << 20, 0, NULL);
	struct vmm_membar mb;
	int devfn = 1 << 3;

	cr_assert_eq(vmm_membar_add(vm, &mb, 1 << 20), 0);
	cr_assert_eq(vmm_pci_cfg_read(vm, devfn, 0x10, 4), 0xc0000000);
	vmm_pci_cfg_write(vm, devfn, 0x10, 4, 0xffffffff);
	cr_assert_eq(vmm_pci_cfg_read(vm, devfn, 0x10, 4), 0xfff00000);
	/* BAR1 (4 KiB, the MSI-X BAR) sizes too; unimplemented BARs read 0 */
	vmm_pci_cfg_write(vm, devfn, 0x14, 4, 0xffffffff);
	cr_assert_eq(vmm_pci_cfg_read(vm, devfn, 0x14, 4), 0xfffff000);
	vmm_pci_cfg_write(vm, devfn, 0x18, 4, 0xffffffff);
	cr_assert_eq(vmm_pci_cfg_read(vm, devfn, 0x18, 4), 0);
	/* a BAR outside the MMIO window is accepted but not decoded */
	vmm_pci_cfg_write(vm, devfn, 0x04, 2, 0x0002);
	vmm_pci_cfg_write(vm, devfn, 0x10, 4, 0x00100000);	/* over RAM */
	cr_assert_eq(mb.dev.bar[0].gpa, 0);
	cr_assert_eq(mb.dev.bar[0].slot, -1);
	vmm_pci_cfg_write(vm, devfn, 0x10, 4, 0xc0100000);
	cr_assert_eq(mb.dev.bar[0].gpa, 0xc0100000);
	/* decode off removes the slot */
	vmm_pci_cfg_write(vm, devfn, 0x04, 2, 0x0000);
	cr_assert_eq(mb.dev.bar[0].slot, -1);
	/* read-only registers and the ROM BAR */
	vmm_pci_cfg_write(vm, devfn, 0x00, 4, 0);
	vmm_pci_cfg_write(vm, devfn, 0x30, 4, 0xffffffff);
	cr_assert_eq(vmm_pci_cfg_read(vm, devfn, 0x00, 4), 0x00051b36);
	cr_assert_eq(vmm_pci_cfg_read(vm, devfn, 0x30, 4), 0);
	cr_assert_eq(vmm_pci_cfg_read(vm, devfn, 0x02, 2), 0x0005);
	cr_assert_eq(vmm_pci_cfg_read(vm, devfn, 0x0b, 1), 0x05);
	/* misaligned / oversized / out-of-range accesses */
	cr_assert_eq(vmm_pci_cfg_read(vm, devfn, 0x03, 2), 0xffffffff);
	cr_assert_eq(vmm_pci_cfg_read(vm, devfn, 0x100, 4), 0xffffffff);
	cr_assert_eq(vmm_pci_cfg_read(vm, devfn, 0x10, 8), 0xffffffff);
	cr_assert_eq(vmm_pci_cfg_read(vm, 2 << 3, 0, 4), 0xffffffff);
	cr_assert_eq(vmm_pci_cfg_read(vm, devfn | 1, 0, 4), 0xffffffff);
	/* MSI capability: only enable is writable in control */
	vmm_pci_cfg_write(vm, devfn, 0x42, 2, 0xffff);
	cr_assert_eq(vmm_pci_cfg_read(vm, devfn, 0x42, 2), 0x0081);
	vmm_pci_exit(vm);
	vmm_membar_free(&mb);
	vmm_destroy(vm);
}

Test(vmm, bar_too_large_for_the_mmio_window)
{
	struct vmm *vm = new_vm(2 << 20, 0, NULL);
	struct vmm_membar mb;

	/* 1 GiB: the window 0xc0000000-0xfe000000 holds 992 MiB */
	cr_assert_eq(vmm_membar_add(vm, &mb, 1ULL << 30), -ENOSPC);
	cr_assert_str_eq(pt_last_error(), "vmm: membar BAR0 (1024 MiB) is too large "
			 "for the guest's MMIO window 0xc0000000-0xfe000000");
	cr_assert_eq(vm->nr_pci, 0);
	/* the window is still whole for the next device */
	cr_assert_eq(vmm_membar_add(vm, &mb, 512 << 20), 0);
	cr_assert_eq(mb.dev.bar[0].guest_val, VMM_MMIO_BASE);
	vmm_pci_exit(vm);
	vmm_membar_free(&mb);
	vmm_destroy(vm);
}

/* ---- the exit dispatch table ----------------------------------------------- */

static int count_fn(struct vmm *vm, void *opaque, uint64_t off, uint8_t *data,
		    uint32_t len, bool is_write)
{
	(*(int *)opaque)++;
	return 0;
}

Test(vmm_io, register_overlap_full_and_bounds)
{
	struct vmm_io_bus bus = { .name = "test" };
	int hits = 0;
	uint8_t d[8];

	cr_assert_eq(vmm_io_register(&bus, 0x100, 0x10, count_fn, &hits, "a"), 0);
	cr_assert_eq(vmm_io_register(&bus, 0x10f, 1, count_fn, &hits, "b"), -EEXIST);
	cr_assert_eq(vmm_io_register(&bus, 0xf8, 0x10, count_fn, &hits, "c"), -EEXIST);
	cr_assert_eq(vmm_io_register(&bus, 0x110, 0x10, count_fn, &hits, "d"), 0);
	cr_assert_eq(vmm_io_register(&bus, UINT64_MAX - 1, 4, count_fn, &hits, "e"), -EINVAL);
	cr_assert_eq(vmm_io_register(&bus, 0x200, 0, count_fn, &hits, "f"), -EINVAL);
	/* inside, at the end, straddling two ranges, straddling the end */
	cr_assert_eq(vmm_io_dispatch(NULL, &bus, 0x100, d, 4, false), 0);
	cr_assert_eq(vmm_io_dispatch(NULL, &bus, 0x10c, d, 4, false), 0);
	cr_assert_eq(vmm_io_dispatch(NULL, &bus, 0x10e, d, 4, false), -ENOENT);
	cr_assert_eq(vmm_io_dispatch(NULL, &bus, 0x11e, d, 4, false), -ENOENT);
	cr_assert_eq(vmm_io_dispatch(NULL, &bus, 0xff, d, 1, false), -ENOENT);
	cr_assert_eq(vmm_io_dispatch(NULL, &bus, UINT64_MAX, d, 2, false), -ENOENT);
	cr_assert_eq(hits, 2);
	cr_assert_eq(vmm_io_unregister(&bus, 0x100), 0);
	cr_assert_eq(vmm_io_unregister(&bus, 0x100), -ENOENT);
	cr_assert_eq(vmm_io_dispatch(NULL, &bus, 0x100, d, 4, false), -ENOENT);
	/* the table is bounded */
	for (int i = 1; i < VMM_IO_MAX_RANGES; i++)
		cr_assert_eq(vmm_io_register(&bus, 0x1000 * (i + 1), 4, count_fn, &hits, "x"), 0);
	cr_assert_eq(bus.nr, VMM_IO_MAX_RANGES);
	cr_assert_eq(vmm_io_register(&bus, 0x900000, 4, count_fn, &hits, "y"), -ENOSPC);
	/* bisection finds every range */
	for (int i = 1; i < VMM_IO_MAX_RANGES; i++)
		cr_assert_eq(vmm_io_dispatch(NULL, &bus, 0x1000 * (i + 1) + 3, d, 1, true), 0);
	cr_assert_eq(hits, 2 + VMM_IO_MAX_RANGES - 1);
}
