// SPDX-License-Identifier: MIT
/*
 * bench-vmm.c — the minimal VMM against its peers, in one run on this host.
 *
 * 1. Start to first guest instruction and start to exit, `passthru run
 *    --guest tiny` vs the same tiny guest under `qemu-system-x86_64 -M
 *    microvm -accel kvm`.  Both guests are three OUTs: '!' and '\n' to the
 *    UART at 0x3f8, then the exit port.  Ours is entered in long mode by the
 *    VMM; QEMU's is a 64 KiB -bios image entered in real mode at the reset
 *    vector (no firmware either way).  Both are timed from the outside the
 *    same way: fork+exec at t0, the first byte on the serial pipe is the
 *    first instruction, waitpid is the exit.  Medians of BENCH_RUNS.
 * 2. PIO and MMIO exit round trips: the VMM's run loop + dispatch table
 *    (guests pio-loop, port 0x80, and mmio-loop, GPA 0xd0000000 with a
 *    handler registered there) against a bare KVM_RUN loop that only
 *    re-enters the same guest in the same VM set-up, N exits each.
 *
 * Targets (issue 6): start-to-exit < 5 ms and >= 10x faster than microvm;
 * exit handling within 10% of the bare loop.  Printed, never asserted.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

/* Exits per measurement; BENCH_EXITS lowers it where an exit costs 100x
 * more (the lab's nested KVM under TCG). */
static int exits_per_run = 200000;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n ? v[n / 2] : 0;
}

/* fork+exec argv; first_ms = first byte on stdout, exit_ms = reaped. */
static int time_child(char *const argv[], double *first_ms, double *exit_ms,
		      int *status)
{
	int pfd[2], st;
	uint64_t t0, t1 = 0;
	pid_t pid;
	char c;

	if (pipe(pfd))
		return -errno;
	t0 = vmm_now_ns();
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(pfd[1], 1);
		dup2(null, 2);
		close(pfd[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	if (read(pfd[0], &c, 1) == 1)
		t1 = vmm_now_ns();
	while (read(pfd[0], &c, 1) > 0)
		;
	close(pfd[0]);
	waitpid(pid, &st, 0);
	*first_ms = t1 ? (t1 - t0) / 1e6 : -1;
	*exit_ms = (vmm_now_ns() - t0) / 1e6;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

/* The same three OUTs in real mode, at the reset vector of a 64 KiB BIOS. */
static int write_tiny_bios(const char *path)
{
	static const uint8_t code[] = {
		0xba, 0xf8, 0x03,	/* mov $0x3f8, %dx */
		0xb0, '!', 0xee,	/* mov $'!', %al; out %al, (%dx) */
		0xb0, '\n', 0xee,	/* mov $'\n', %al; out */
		0xba, 0xf4, 0x00,	/* mov $0xf4, %dx (isa-debug-exit) */
		0xb0, 0x00, 0xee,	/* mov $0, %al; out */
		0xf4, 0xeb, 0xfd,	/* 1: hlt; jmp 1b */
	};
	static uint8_t rom[65536];
	int fd, ok;

	memset(rom, 0xf4, sizeof(rom));
	memcpy(rom, code, sizeof(code));
	rom[0xfff0] = 0xe9;			/* jmp rel16 to offset 0 */
	rom[0xfff1] = 0x0d;
	rom[0xfff2] = 0x00;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -errno;
	ok = write(fd, rom, sizeof(rom)) == sizeof(rom);
	close(fd);
	return ok ? 0 : -EIO;
}

static void bench_start(const char *passthru, int runs)
{
	char bios[] = "/tmp/passthru-bench-bios-XXXXXX";
	char *ours[] = { (char *)passthru, "run", "--guest", "tiny", NULL };
	char *qemu[] = { "qemu-system-x86_64", "-M", "microvm,x-option-roms=off,rtc=off,"
			 "pit=off,pic=off,isa-serial=on", "-accel", "kvm", "-m", "16M",
			 "-nodefaults", "-no-user-config", "-display", "none",
			 "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=1",
			 "-bios", bios, NULL };
	double of[runs], oe[runs], qf[runs], qe[runs], f, e;
	int st, ost = -1, qst = -1, fd, qok = 0;

	fd = mkstemp(bios);
	if (fd >= 0)
		close(fd);
	if (fd < 0 || write_tiny_bios(bios)) {
		printf("bench-vmm: cannot write the BIOS image %s\n", bios);
		return;
	}
	for (int i = 0; i < runs; i++) {
		time_child(ours, &of[i], &oe[i], &ost);
		time_child(qemu, &f, &e, &st);
		qst = st;
		/* isa-debug-exit: status (0 << 1) | 1 = 1 when the guest ran */
		if (st == 1 && f >= 0) {
			qf[qok] = f;
			qe[qok] = e;
			qok++;
		}
	}
	unlink(bios);
	printf("%-44s %10s %10s\n", "start of the process to ...", "first insn", "exit");
	printf("%-44s %8.3f ms %7.3f ms  (status %d, median of %d)\n",
	       "passthru run --guest tiny", median(of, runs), median(oe, runs), ost, runs);
	if (qok) {
		double qfm = median(qf, qok), qem = median(qe, qok);

		printf("%-44s %8.3f ms %7.3f ms  (median of %d)\n",
		       "qemu-system-x86_64 -M microvm -accel kvm", qfm, qem, qok);
		printf("%-44s %9.1fx %9.1fx  (target: exit < 5 ms, >= 10x)\n",
		       "ratio qemu / passthru", qfm / median(of, runs),
		       qem / median(oe, runs));
	} else {
		printf("%-44s did not run here (last status %d): no ratio\n",
		       "qemu-system-x86_64 -M microvm -accel kvm", qst);
	}
}

static struct vmm *bench_vm(const char *guest_dir, const char *guest)
{
	struct vmm_config cfg = { .mem_size = 4 << 20 };
	char path[700];
	struct vmm *vm;
	uint8_t *img;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s.bin", guest_dir, guest);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	img = malloc(1 << 20);
	n = read(fd, img, 1 << 20);
	close(fd);
	if (n <= 0 || vmm_create(&vm, &cfg) || vmm_load_image(vm, img, n)) {
		free(img);
		return NULL;
	}
	free(img);
	return vm;
}

/*
 * The physical limit: the same long-mode pio-loop guest in the same VM
 * set-up, but KVM_RUN re-entered straight away, no decoding, no dispatch.
 */
static double bench_bare_loop(const char *guest_dir, const char *guest,
			      unsigned int reason, int exits)
{
	struct vmm *vm = bench_vm(guest_dir, guest);
	uint64_t t0;

	if (!vm)
		return -1;
	for (int i = 0; i < 1000; i++)		/* warm up */
		ioctl(vm->cpu[0].fd, KVM_RUN, 0);
	t0 = vmm_now_ns();
	for (int i = 0; i < exits; i++)
		if (ioctl(vm->cpu[0].fd, KVM_RUN, 0) || vm->cpu[0].run->exit_reason != reason)
			return -1;
	t0 = vmm_now_ns() - t0;
	vmm_destroy(vm);
	return t0 / 1e3 / exits;
}

/* The bench's MMIO "device": counts writes, stops the guest after N. */
static int bench_mmio_fn(struct vmm *vm, void *opaque, uint64_t off,
			 uint8_t *data, uint32_t len, bool is_write)
{
	if (++vm->bench_pio_count == vm->bench_pio_limit)
		vm->stop = VMM_STOP_EXIT;
	return 0;
}

/* The VMM's own loop: exit decoding, table dispatch, the handler. */
static double bench_vmm_loop(const char *guest_dir, const char *guest,
			     bool mmio, int exits)
{
	struct vmm *vm = bench_vm(guest_dir, guest);
	double us;

	if (!vm)
		return -1;
	if (mmio && vmm_io_register(&vm->mmio, 0xd0000000ULL, 4096, bench_mmio_fn,
				    NULL, "bench"))
		return -1;
	vm->bench_pio_limit = exits;
	vmm_run(vm);
	if (vm->stop != VMM_STOP_EXIT || !vm->marks[0])
		return -1;
	us = (vm->t_end_ns - vm->marks[0]) / 1e3 / exits;
	vmm_destroy(vm);
	return us;
}

static void bench_exits(const char *dir, const char *what, const char *guest,
			unsigned int reason, bool mmio)
{
	double bare[5], ours[5], b, o;
	char label[80];

	for (int i = 0; i < 5; i++) {
		bare[i] = bench_bare_loop(dir, guest, reason, exits_per_run);
		ours[i] = bench_vmm_loop(dir, guest, mmio, exits_per_run);
	}
	b = median(bare, 5);
	o = median(ours, 5);
	snprintf(label, sizeof(label), "%s exit round trip, bare KVM_RUN loop", what);
	printf("%-44s %8.3f us  (median of 5 x %d exits)\n", label, b, exits_per_run);
	snprintf(label, sizeof(label), "%s exit round trip, passthru VMM", what);
	printf("%-44s %8.3f us  (%+.1f%% vs bare; target within 10%%)\n", label, o,
	       b > 0 ? (o / b - 1) * 100 : 0);
}

int main(void)
{
	const char *passthru = getenv("PASSTHRU") ? getenv("PASSTHRU") : "build/passthru";
	int runs = getenv("BENCH_RUNS") ? atoi(getenv("BENCH_RUNS")) : 21;
	char tmp[512], dir[600];

	if (runs < 1 || runs > 1001)
		runs = 21;
	if (getenv("BENCH_EXITS") && atoi(getenv("BENCH_EXITS")) > 0)
		exits_per_run = atoi(getenv("BENCH_EXITS"));
	snprintf(tmp, sizeof(tmp), "%s", passthru);
	snprintf(dir, sizeof(dir), "%s/guest", dirname(tmp));
	if (getenv("BENCH_GUEST_DIR"))
		snprintf(dir, sizeof(dir), "%s", getenv("BENCH_GUEST_DIR"));
	/* BENCH_WHERE: tests/vmm/where.sh runs us inside the lab (nested KVM
	 * under TCG) when this host has no usable /dev/kvm. */
	printf("== bench-vmm: minimal VMM (passthru run) on %s\n",
	       getenv("BENCH_WHERE") ? getenv("BENCH_WHERE") : "this host's /dev/kvm");
	bench_start(passthru, runs);
	bench_exits(dir, "PIO", "pio-loop", KVM_EXIT_IO, false);
	bench_exits(dir, "MMIO", "mmio-loop", KVM_EXIT_MMIO, true);
	return 0;
}
