/* SPDX-License-Identifier: MIT */
/*
 * vmm/vmm.h — the minimal VMM behind `passthru run` (internal interface).
 *
 * One file per concern:
 *	vmm/kvm.c	 /dev/kvm, the VM, its vCPUs, CPUID, exit decoding
 *	vmm/run.c	 one thread per vCPU, the control loop (timeout, stop
 *			 requests, console), kicking vCPUs out of KVM_RUN
 *	vmm/mem.c	 guest RAM (memfd or hugetlb, split around the 32-bit
 *			 MMIO window) and KVM memory slots
 *	vmm/boot.c	 64-bit long-mode entry: page tables, GDT, registers
 *	vmm/io.c	 PIO/MMIO exit dispatch: a bounded registration table
 *	vmm/uart.c	 the 16550A UART at 0x3f8 (IRQ 4)
 *	vmm/console.c	 the UART's host side: output ring, stdin, raw mode,
 *			 the Ctrl-A escapes
 *	vmm/i8042.c	 the keyboard controller's reset line (port 0x64)
 *	vmm/rtc.c	 the CMOS clock (ports 0x70/0x71)
 *	vmm/debug-exit.c the exit-status, marker and clock ports
 *	vmm/bzimage.c	 the Linux/x86 boot protocol: bzImage header, memory
 *			 plan, boot_params (pure functions, fuzzed)
 *	vmm/linux.c	 puts a planned Linux boot into the VM
 *	vmm/mptable.c	 the MP table: CPUs, IOAPIC, ISA and PCI interrupts
 *	vmm/pci.c	 virtual PCI host bridge (CF8/CFC and ECAM), config
 *			 virtualisation, BAR decode
 *	vmm/irq.c	 in-kernel irqchip and PIT, GSI routes, irqfds: MSI,
 *			 MSI-X (with masking and PBA), INTx with resample
 *	vmm/membar.c	 a device whose BAR is a memfd (tests, benchmarks)
 *	vmm/vfio-dev.c	 an assigned VFIO device as a backend of the bus
 *			 (vmm/vfio-dev.h)
 *
 * Everything the guest hands to the VMM (port, address, length, config
 * offset, BAR value, MSI-X entry) is untrusted and checked where it enters.
 *
 * Threads: one per vCPU runs KVM_RUN and handles its exits with vm->lock
 * held (exits are rare next to guest work; one lock keeps every device
 * model single-threaded).  The thread that called vmm_run() runs the
 * control loop and never enters the guest.
 */
#ifndef PASSTHRU_VMM_VMM_H
#define PASSTHRU_VMM_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <poll.h>
#include <pthread.h>
#include <termios.h>

#include "iommu/passthru-iommu.h"
#include "guest/abi.h"

struct vmm;

/* ---- exit dispatch (vmm/io.c) ------------------------------------------ */

/*
 * A handler gets the offset inside its range.  For reads it fills data[0..len).
 * It returns 0, or a negative errno to stop the guest (vm->stop is set by
 * the handler with the reason).
 */
typedef int (*vmm_io_fn)(struct vmm *vm, void *opaque, uint64_t off,
			 uint8_t *data, uint32_t len, bool is_write);

#define VMM_IO_MAX_RANGES	64

struct vmm_io_range {
	uint64_t base, len;
	vmm_io_fn fn;
	void *opaque;
	const char *name;
};

struct vmm_io_bus {
	const char *name;		/* "pio" / "mmio" */
	int nr;
	struct vmm_io_range r[VMM_IO_MAX_RANGES];	/* sorted by base */
};

int vmm_io_register(struct vmm_io_bus *bus, uint64_t base, uint64_t len,
		    vmm_io_fn fn, void *opaque, const char *name);
int vmm_io_unregister(struct vmm_io_bus *bus, uint64_t base);
const struct vmm_io_range *vmm_io_find(const struct vmm_io_bus *bus,
				       uint64_t addr, uint32_t len);
/* -ENOENT when no range covers [addr, addr+len). */
int vmm_io_dispatch(struct vmm *vm, struct vmm_io_bus *bus, uint64_t addr,
		    uint8_t *data, uint32_t len, bool is_write);

/* ---- memory (vmm/mem.c) -------------------------------------------------- */

#define VMM_MAX_SLOTS	32

struct vmm_slot {
	bool used;
	uint32_t id;
	uint64_t gpa, size;
	void *hva;
};

/* ---- PCI (vmm/pci.c, vmm/irq.c) ------------------------------------------ */

#define VMM_PCI_MAX_DEVS	8	/* slots 1..8 of bus 0; slot 0 is the bridge */
#define VMM_PCI_CFG_SIZE	256

enum vmm_bar_kind {
	VMM_BAR_NONE,
	VMM_BAR_SLOT,		/* mmapped; a KVM memory slot, no exits */
	VMM_BAR_TRAP,		/* every access exits and goes to the backend */
};

struct vmm_pci_dev;

/*
 * A device backend: the VFIO device of `passthru run`, or the memfd BAR of
 * the tests.  cfg_read/cfg_write reach the real config space for what the
 * VMM passes through; bar_rw reaches a trapped BAR (offset bounds-checked
 * by the caller); set_irqs hands the device one eventfd per vector (nvec 0
 * disables) for index 0 INTx, 1 MSI, 2 MSI-X (the VFIO numbering).
 */
struct vmm_pci_ops {
	int (*cfg_read)(struct vmm_pci_dev *d, uint32_t off, void *buf, uint32_t len);
	int (*cfg_write)(struct vmm_pci_dev *d, uint32_t off, const void *buf, uint32_t len);
	int (*bar_rw)(struct vmm_pci_dev *d, int bar, uint64_t off, void *buf,
		      uint32_t len, bool is_write);
	int (*set_irqs)(struct vmm_pci_dev *d, int index, int nvec, const int *efds);
	/* INTx: the eventfd that unmasks the device's line when signalled
	 * (VFIO_IRQ_SET_ACTION_UNMASK); KVM signals it when the guest EOIs.
	 * Without it the device gets no INTx. */
	int (*set_unmask_fd)(struct vmm_pci_dev *d, int fd);
};

struct vmm_pci_bar {
	struct vmm_pci_dev *dev;
	int index;
	uint64_t size;		/* 0: not implemented */
	uint32_t flags;		/* low BAR bits: io, 64-bit, prefetch */
	bool is_io, is_64;
	enum vmm_bar_kind kind;
	void *hva;		/* VMM_BAR_SLOT: the mmap of the whole BAR */
	uint64_t gpa;		/* where it is decoded now (0: nowhere) */
	uint64_t guest_val;	/* the address the guest programmed */
	int slot;		/* KVM slot index when mapped, else -1 */
	bool trapped;		/* registered on the pio/mmio bus at gpa */
};

#define VMM_MSIX_MAX	64

struct vmm_msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct vmm_pci_dev {
	char name[32];
	struct vmm *vm;
	const struct vmm_pci_ops *ops;
	void *priv;
	int devfn;
	uint8_t cfg[VMM_PCI_CFG_SIZE];	/* snapshot read at attach time */
	uint16_t command;		/* what the guest wrote (filtered) */
	uint8_t irq_line;
	struct vmm_pci_bar bar[6];

	/* MSI capability (virtualised) */
	uint8_t msi_cap;		/* 0: none */
	uint16_t msi_ctrl;
	uint32_t msi_addr_lo, msi_addr_hi;
	uint16_t msi_data;
	/* MSI-X capability (virtualised) */
	uint8_t msix_cap;		/* 0: none, or hidden from the guest */
	uint16_t msix_ctrl;
	int msix_nr;			/* vectors the guest sees (<= VMM_MSIX_MAX) */
	/* Where the device's real table and PBA are, whole (all of the
	 * device's vectors): no guest access may reach them, even when the
	 * capability had to be hidden.  BAR index -1: none. */
	int msix_table_bar, msix_pba_bar;
	uint32_t msix_table_off, msix_pba_off;
	uint32_t msix_table_len, msix_pba_len;
	struct vmm_msix_entry msix[VMM_MSIX_MAX];

	/* interrupt state (vmm/irq.c) */
	int irq_index;			/* -1 none, 0 INTx, 1 MSI, 2 MSI-X */
	int nvec;
	int efd[VMM_MSIX_MAX];
	int gsi[VMM_MSIX_MAX];
	bool vec_live[VMM_MSIX_MAX];	/* irqfd assigned (MSI/MSI-X vector not masked) */
	int intx_resample_fd;
	int intx_gsi;			/* IOAPIC pin of INTx, -1 without a pin */
	uint64_t irqs_routed;		/* count of route updates (tests) */
};

/* ---- the VM -------------------------------------------------------------- */

enum vmm_stop {
	VMM_RUNNING = 0,
	VMM_STOP_EXIT,		/* guest wrote the debug-exit port */
	VMM_STOP_TIMEOUT,	/* --timeout expired */
	VMM_STOP_FAULT,		/* unmapped access, triple fault, KVM error, a
				 * guest that reset itself after a panic */
	VMM_STOP_RESET,		/* orderly guest reboot (i8042 reset line) */
	VMM_STOP_SIGNAL,	/* SIGINT/SIGTERM/SIGHUP to the VMM */
	VMM_STOP_QUIT,		/* the console's Ctrl-A X */
};

/* Exit statuses of `passthru run` besides the guest's own 0..255 value. */
#define VMM_STATUS_TIMEOUT	124
#define VMM_STATUS_FAULT	125
#define VMM_STATUS_QUIT		130	/* as for Ctrl-C: the user stopped it */

#define VMM_MAX_CPUS		64
/* RAM above the 32-bit MMIO window starts here (--mem > 3 GiB). */
#define VMM_HIGH_RAM_BASE	0x100000000ULL
#define VMM_MEM_MAX_LINUX	(256ULL << 30)

struct vmm_config {
	uint64_t mem_size;
	unsigned int timeout_ms;	/* 0: none */
	size_t serial_capture;		/* bytes of serial output kept in memory */
	const char *guest_arg;
	/* Guest RAM backing: PT_MEM_MEMFD (default, also for 0), or hugetlb
	 * PT_MEM_HUGE_2M / PT_MEM_HUGE_1G (mem_size a multiple of the page). */
	enum pt_mem_kind mem_kind;
	/* In-kernel LAPIC/IOAPIC, needed for device interrupts (MSI/MSI-X
	 * through irqfd).  Off for the no-device guest: tearing it down costs
	 * ~15 ms of SRCU grace periods on the nested KVM measured here. */
	bool irqchip;
	/* The PC an operating system expects (Linux guests): irqchip and PIT,
	 * CPUID with the hypervisor leaves, the UART's interrupt, the i8042,
	 * RAM above 4 GiB past the MMIO window, nr_cpus vCPUs. */
	bool os_platform;
	int nr_cpus;			/* 0 or 1: one vCPU */
};

struct vmm_vcpu {
	struct vmm *vm;
	int id;				/* also its APIC ID */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool thread_live;
	bool halted;			/* HLT without an irqchip: never wakes */
};

/* The UART's registers (vmm/uart.c) and the console's buffers. */
#define VMM_UART_RX_SIZE	256
#define VMM_CONSOLE_RING	(256u << 10)

struct vmm_uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending;		/* THR-empty interrupt not yet taken */
	bool irq_level;			/* what the IRQ line was last set to */
	uint8_t rx[VMM_UART_RX_SIZE];
	unsigned int rx_head, rx_len;
};

struct vmm_console {
	int out_fd, in_fd;		/* -1: none (vmm_console_attach) */
	bool raw;			/* in_fd is a terminal: raw mode, escapes */
	char *ring;			/* guest output not yet written out */
	size_t head, len;
	uint64_t dropped;		/* bytes lost to a full ring */
	bool in_open;			/* console_in not yet at EOF */
	bool escape;			/* Ctrl-A seen, waiting for the command */
	bool raw_set;			/* saved_termios to restore at the end */
	struct termios saved_termios;
};

struct vmm {
	struct vmm_config cfg;
	int kvm_fd, vm_fd;
	size_t run_size;
	int nr_cpus;
	struct vmm_vcpu cpu[VMM_MAX_CPUS];
	pthread_mutex_t lock;		/* device models; held while handling exits */
	int wake_fd;			/* eventfd: wakes the control loop */

	/* RAM: ram_low bytes at GPA 0, the rest at VMM_HIGH_RAM_BASE */
	struct pt_mem *ram_mem;
	int mem_fd;
	void *ram;
	uint64_t ram_size, ram_low;
	struct vmm_slot slots[VMM_MAX_SLOTS];

	struct vmm_io_bus pio, mmio;

	/* serial: the UART, the console behind it, the --json capture */
	struct vmm_uart uart;
	struct vmm_console con;
	char *serial_buf;
	size_t serial_len;

	/* i8042, CMOS clock */
	uint8_t kbc_ctr, kbc_out, kbc_cmd;
	bool kbc_out_full;
	uint8_t rtc_index, rtc_cmos[128];

	/* PCI */
	uint32_t pci_addr;		/* last CF8 value */
	struct vmm_pci_dev *pci[VMM_PCI_MAX_DEVS];
	int nr_pci;
	uint64_t mmio_next;		/* BAR allocator */
	uint32_t io_next;
	uint64_t pci_bad_accesses;	/* dropped / filtered guest accesses */
	uint64_t msix_blocked;		/* guest accesses kept off a real MSI-X table/PBA */

	/* interrupts */
	bool irqchip;
	struct kvm_irq_routing *routes;	/* our copy; pushed whole */

	/* run state */
	int stop;			/* enum vmm_stop; read by every thread */
	int exit_status;
	volatile int stop_signal;	/* set by vmm_request_stop() */
	char fault[256];
	uint64_t nr_exits, nr_pio_exits, nr_mmio_exits;
	uint64_t t_start_ns, t_run_ns, t_first_exit_ns, t_end_ns;
	uint64_t marks[4];		/* ns of VMM_PORT_MARK writes 0..3 */
	uint64_t bench_pio_count;	/* writes to port 0x80 (bench) */
	uint64_t bench_pio_limit;	/* stop after this many (0: never) */
};

uint64_t vmm_now_ns(void);

/* vmm/kvm.c */
int vmm_create(struct vmm **out, const struct vmm_config *cfg);
void vmm_destroy(struct vmm *vm);
/* One exit in cpu->run (KVM_RUN returned 0); public for the fuzz target. */
int vmm_handle_exit(struct vmm_vcpu *cpu);
/* Stops the run from a handler: records why and the message. */
int vmm_stop_fault(struct vmm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Exit status for `passthru run`: guest value, 124 timeout, 125 fault,
 * 0 orderly reboot, 128+N signal N, 130 console quit. */
int vmm_status(const struct vmm *vm);
const char *vmm_stop_name(int stop);

/* vmm/run.c */
/* Runs every vCPU until the guest stops, faults, times out or is asked to
 * stop; 0, or -errno when the threads could not be started. */
int vmm_run(struct vmm *vm);
/* Async-signal-safe: ask a running VM to stop (status 128 + signo). */
void vmm_request_stop(struct vmm *vm, int signo);
/* Wakes the control loop (a stop, console output, UART room). */
void vmm_wake(struct vmm *vm);

/* vmm/mem.c */
int vmm_mem_init(struct vmm *vm, uint64_t size);
void vmm_mem_exit(struct vmm *vm);
int vmm_slot_add(struct vmm *vm, uint64_t gpa, uint64_t size, void *hva);
int vmm_slot_del(struct vmm *vm, int slot);
/* Host pointer for [gpa, gpa+len) of RAM, NULL when not entirely RAM. */
void *vmm_gpa_to_hva(struct vmm *vm, uint64_t gpa, uint64_t len);
/* RAM as IOMMU/guest ranges (1 or 2); returns how many. */
struct pt_guest_ram_slot;
int vmm_ram_ranges(const struct vmm *vm, struct pt_guest_ram_slot *out);

/* vmm/boot.c */
int vmm_load_image(struct vmm *vm, const void *img, size_t len);
int vmm_boot_setup(struct vmm *vm, uint64_t image_end);
/* vCPU 0 in 64-bit mode at rip with the identity map of the first 4 GiB
 * and a flat GDT whose code and data selectors are cs and ds. */
struct vmm_entry {
	uint64_t rip, rsp, rdi, rsi;
	uint16_t cs, ds;
};
int vmm_enter_long_mode(struct vmm *vm, const struct vmm_entry *e);

/* vmm/uart.c, vmm/console.c, vmm/i8042.c, vmm/debug-exit.c */
int vmm_uart_init(struct vmm *vm);
/* Bytes from the host side into the receiver; returns how many fit. */
size_t vmm_uart_rx_push(struct vmm *vm, const uint8_t *buf, size_t len);
size_t vmm_uart_rx_room(const struct vmm *vm);
/* The console's ring has room again: the transmitter is empty. */
void vmm_uart_tx_room(struct vmm *vm);
/* Where guest output goes (out_fd) and input comes from (in_fd; raw: a
 * terminal to put in raw mode for the run, with the Ctrl-A escapes); -1
 * for none, the default.  Before vmm_run(). */
int vmm_console_attach(struct vmm *vm, int in_fd, int out_fd, bool raw);
int vmm_console_init(struct vmm *vm);
void vmm_console_exit(struct vmm *vm);
/* A byte the guest transmitted: capture and queue for console_out.
 * false when the ring is full (the UART then reports a busy transmitter). */
bool vmm_console_put(struct vmm *vm, uint8_t c);
bool vmm_console_full(const struct vmm *vm);
/* Control loop side (vmm/run.c): poll set-up and events. */
void vmm_console_poll_fds(struct vmm *vm, struct pollfd *in, struct pollfd *out);
void vmm_console_input(struct vmm *vm);
void vmm_console_output(struct vmm *vm, bool all);
int vmm_i8042_init(struct vmm *vm);
int vmm_rtc_init(struct vmm *vm);
int vmm_debug_exit_init(struct vmm *vm);

/* vmm/pci.c */
int vmm_pci_init(struct vmm *vm);
void vmm_pci_exit(struct vmm *vm);
/* Adds a device; d->cfg must hold its config space, d->bar[] its BARs. */
int vmm_pci_add(struct vmm *vm, struct vmm_pci_dev *d);
/* The config handlers, also reached by the fuzz target without KVM. */
uint32_t vmm_pci_cfg_read(struct vmm *vm, int devfn, uint32_t off, uint32_t len);
void vmm_pci_cfg_write(struct vmm *vm, int devfn, uint32_t off, uint32_t len,
		       uint32_t val);
int vmm_pci_bar_update(struct vmm_pci_dev *d, int bar);
/* Does [off, off+len) of BAR `bar` touch the device's MSI-X table or PBA? */
bool vmm_pci_msix_overlap(const struct vmm_pci_dev *d, int bar, uint64_t off,
			  uint64_t len);

/* vmm/irq.c */
int vmm_irq_init(struct vmm *vm);
void vmm_irq_exit(struct vmm *vm);
void vmm_irq_dev_cleanup(struct vmm_pci_dev *d);
/* The guest changed MSI or MSI-X state: rebuild routes and eventfds. */
int vmm_irq_update(struct vmm_pci_dev *d);
int vmm_msix_table_rw(struct vmm *vm, void *opaque, uint64_t off,
		      uint8_t *data, uint32_t len, bool is_write);
/* Pending bits of masked MSI-X vectors (off/len inside the PBA). */
int vmm_msix_pba_read(struct vmm_pci_dev *d, uint64_t off, uint8_t *data,
		      uint32_t len);
/* An ISA interrupt line (IRQ 0..15: PIC and IOAPIC pin) to level. */
void vmm_irq_line(struct vmm *vm, int irq, bool level);

/* vmm/membar.c */
struct vmm_membar {
	struct vmm_pci_dev dev;
	int fd;
	void *map;
	uint64_t size;
	int irq_index, irq_efd;	/* what the VMM handed over (INTx or MSI) */
	int unmask_fd;		/* INTx resample eventfd */
};
int vmm_membar_add(struct vmm *vm, struct vmm_membar *mb, uint64_t size);
void vmm_membar_free(struct vmm_membar *mb);

/* ---- Linux guests (vmm/bzimage.c, vmm/linux.c, vmm/mptable.c) ----------- */

#include "vmm/bzimage.h"

/* Loads the kernel, the initrd (read from initrd_fd, plan->initrd_size
 * bytes; -1 for none), the command line, boot_params, the MP table, and
 * sets vCPU 0 at the 64-bit entry point. */
int vmm_linux_load(struct vmm *vm, const struct vmm_bzimage *bz,
		   const struct vmm_linux_plan *plan, int initrd_fd,
		   const char *cmdline);
/* The MP table at VMM_GPA_MPTABLE: nr_cpus CPUs, the IOAPIC, ISA IRQs 0-15
 * and every PCI device's INTx pin. */
int vmm_mptable_write(struct vmm *vm);

#endif
