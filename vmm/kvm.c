// SPDX-License-Identifier: MIT
/*
 * vmm/kvm.c — /dev/kvm, the VM, its one vCPU and the run loop.
 *
 * One vCPU runs in the calling thread.  The timeout is a POSIX timer that
 * signals that thread: the handler sets kvm_run->immediate_exit, so KVM_RUN
 * returns -EINTR whether the signal lands inside or just before the ioctl
 * (no lost wake-up), and the loop stops with VMM_STOP_TIMEOUT.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

/* Addresses Intel's KVM needs for real-mode emulation; outside our map. */
#define VMM_TSS_ADDR		0xfffbd000ULL
#define VMM_IDENTITY_MAP_ADDR	0xfffbc000ULL

static volatile sig_atomic_t vmm_timed_out;
static struct kvm_run *volatile vmm_timer_run;

uint64_t vmm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int vmm_stop_fault(struct vmm *vm, const char *fmt, ...)
{
	va_list ap;

	if (vm->stop != VMM_RUNNING)
		return -EFAULT;
	va_start(ap, fmt);
	vsnprintf(vm->fault, sizeof(vm->fault), fmt, ap);
	va_end(ap);
	vm->stop = VMM_STOP_FAULT;
	return -EFAULT;
}

int vmm_status(const struct vmm *vm)
{
	switch (vm->stop) {
	case VMM_STOP_EXIT:
		return vm->exit_status & 0xff;
	case VMM_STOP_TIMEOUT:
		return VMM_STATUS_TIMEOUT;
	default:
		return VMM_STATUS_FAULT;
	}
}

static int vmm_set_cpuid(struct vmm *vm)
{
	struct kvm_cpuid2 *cpuid;
	int nent = 128, ret;

	for (;;) {
		cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return pt_set_error(ENOMEM, "vmm: out of memory for CPUID");
		cpuid->nent = nent;
		if (!ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid))
			break;
		ret = errno;
		free(cpuid);
		if (ret != E2BIG || nent >= 4096)
			return pt_set_error(ret, "vmm: KVM_GET_SUPPORTED_CPUID failed: %s",
					    strerror(ret));
		nent *= 2;
	}
	/* Hide XSAVE/OSXSAVE: the guest is general-registers only anyway. */
	for (unsigned int i = 0; i < cpuid->nent; i++)
		if (cpuid->entries[i].function == 1)
			cpuid->entries[i].ecx &= ~((1u << 26) | (1u << 27));
	ret = ioctl(vm->vcpu_fd, KVM_SET_CPUID2, cpuid) ? errno : 0;
	free(cpuid);
	if (ret)
		return pt_set_error(ret, "vmm: KVM_SET_CPUID2 failed: %s", strerror(ret));
	return 0;
}

static int vmm_open_kvm(struct vmm *vm)
{
	int ret;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		ret = errno;
		return pt_set_error(ret, "vmm: cannot open /dev/kvm: %s; load kvm_intel "
				    "or kvm_amd, enable virtualisation in the firmware, "
				    "or add this user to the kvm group", strerror(ret));
	}
	ret = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION)
		return pt_set_error(ENOTSUP, "vmm: /dev/kvm speaks API %d, need %d",
				    ret, KVM_API_VERSION);
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) <= 0 ||
	    ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) <= 0 ||
	    ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD) <= 0 ||
	    ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0)
		return pt_set_error(ENOTSUP, "vmm: /dev/kvm lacks user memory, "
				    "in-kernel irqchip, irqfd or immediate_exit");
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		ret = errno;
		return pt_set_error(ret, "vmm: KVM_CREATE_VM failed: %s", strerror(ret));
	}
	/* Intel needs these before the first KVM_RUN; AMD ignores them. */
	ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)VMM_TSS_ADDR);
	{
		uint64_t idmap = VMM_IDENTITY_MAP_ADDR;

		ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap);
	}
	return 0;
}

static int vmm_create_vcpu(struct vmm *vm)
{
	int ret, sz;

	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0) {
		ret = errno;
		return pt_set_error(ret, "vmm: KVM_CREATE_VCPU failed: %s", strerror(ret));
	}
	sz = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz < (int)sizeof(struct kvm_run))
		return pt_set_error(EINVAL, "vmm: bad KVM_GET_VCPU_MMAP_SIZE %d", sz);
	vm->run = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		ret = errno;
		vm->run = NULL;
		return pt_set_error(ret, "vmm: mmap of kvm_run failed: %s", strerror(ret));
	}
	vm->run_size = sz;
	return vmm_set_cpuid(vm);
}

int vmm_create(struct vmm **out, const struct vmm_config *cfg)
{
	struct vmm *vm;
	int ret;

	if (cfg->mem_size < VMM_MEM_MIN || cfg->mem_size > VMM_MEM_MAX ||
	    (cfg->mem_size & 0xfff))
		return pt_set_error(EINVAL, "vmm: guest memory must be a multiple of "
				    "4 KiB between 2 MiB and 3 GiB (asked %llu bytes)",
				    (unsigned long long)cfg->mem_size);
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return pt_set_error(ENOMEM, "vmm: out of memory");
	vm->cfg = *cfg;
	vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = vm->mem_fd = -1;
	vm->pio.name = "pio";
	vm->mmio.name = "mmio";
	vm->t_start_ns = vmm_now_ns();
	if (cfg->serial_capture) {
		vm->serial_buf = calloc(1, cfg->serial_capture + 1);
		if (!vm->serial_buf) {
			ret = pt_set_error(ENOMEM, "vmm: out of memory");
			goto err;
		}
	}
	ret = vmm_open_kvm(vm);
	if (ret)
		goto err;
	/*
	 * RAM before the irqchip: on the nested KVM measured here, the first
	 * memslot change after KVM_CREATE_IRQCHIP waits ~6.6 ms for an SRCU
	 * grace period, before it ~0.07 ms.  The irqchip must precede the vCPU.
	 */
	ret = vmm_mem_init(vm, cfg->mem_size);
	if (ret)
		goto err;
	ret = vmm_irq_init(vm);
	if (ret)
		goto err;
	ret = vmm_create_vcpu(vm);
	if (ret)
		goto err;
	ret = vmm_serial_init(vm);
	if (!ret)
		ret = vmm_debug_exit_init(vm);
	if (!ret)
		ret = vmm_pci_init(vm);
	if (ret)
		goto err;
	*out = vm;
	return 0;
err:
	vmm_destroy(vm);
	return ret;
}

void vmm_destroy(struct vmm *vm)
{
	if (!vm)
		return;
	vmm_pci_exit(vm);
	vmm_irq_exit(vm);
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	vmm_mem_exit(vm);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	free(vm->serial_buf);
	free(vm);
}

/* ---- run loop ------------------------------------------------------------ */

static void vmm_timer_handler(int sig)
{
	struct kvm_run *run = vmm_timer_run;

	(void)sig;
	vmm_timed_out = 1;
	if (run)
		run->immediate_exit = 1;
}

static int vmm_timer_start(struct vmm *vm, timer_t *timer)
{
	struct sigaction sa = { .sa_handler = vmm_timer_handler };
	struct sigevent sev = { 0 };
	struct itimerspec its = { 0 };

	vmm_timed_out = 0;
	vmm_timer_run = vm->run;
	if (!vm->cfg.timeout_ms)
		return 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL))
		return pt_set_error(errno, "vmm: sigaction failed: %s", strerror(errno));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	sev._sigev_un._tid = syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, timer))
		return pt_set_error(errno, "vmm: timer_create failed: %s", strerror(errno));
	its.it_value.tv_sec = vm->cfg.timeout_ms / 1000;
	its.it_value.tv_nsec = (vm->cfg.timeout_ms % 1000) * 1000000L;
	if (timer_settime(*timer, 0, &its, NULL)) {
		timer_delete(*timer);
		return pt_set_error(errno, "vmm: timer_settime failed: %s", strerror(errno));
	}
	return 1;
}

static int vmm_handle_io(struct vmm *vm)
{
	struct kvm_run *run = vm->run;
	uint32_t size = run->io.size, count = run->io.count;
	uint64_t off = run->io.data_offset;
	uint8_t *data;
	int ret;

	vm->nr_pio_exits++;
	/* KVM fills these, but trust nothing that indexes memory. */
	if ((size != 1 && size != 2 && size != 4) || count == 0 ||
	    off > vm->run_size || (uint64_t)size * count > vm->run_size - off)
		return vmm_stop_fault(vm, "bad PIO exit (port 0x%x size %u count %u)",
				      run->io.port, size, count);
	data = (uint8_t *)run + off;
	for (uint32_t i = 0; i < count; i++, data += size) {
		bool wr = run->io.direction == KVM_EXIT_IO_OUT;

		ret = vmm_io_dispatch(vm, &vm->pio, run->io.port, data, size, wr);
		if (ret == -ENOENT) {
			/* Like a PC: nobody decodes it, reads float high. */
			if (!wr)
				memset(data, 0xff, size);
			continue;
		}
		if (ret)
			return ret;
	}
	return 0;
}

static int vmm_handle_mmio(struct vmm *vm)
{
	struct kvm_run *run = vm->run;
	uint32_t len = run->mmio.len;
	int ret;

	vm->nr_mmio_exits++;
	if (len == 0 || len > sizeof(run->mmio.data))
		return vmm_stop_fault(vm, "bad MMIO exit at 0x%llx (len %u)",
				      (unsigned long long)run->mmio.phys_addr, len);
	ret = vmm_io_dispatch(vm, &vm->mmio, run->mmio.phys_addr, run->mmio.data,
			      len, run->mmio.is_write);
	if (ret == -ENOENT)
		return vmm_stop_fault(vm, "guest %s %u byte%s at unmapped address 0x%llx",
				      run->mmio.is_write ? "wrote" : "read", len,
				      len == 1 ? "" : "s",
				      (unsigned long long)run->mmio.phys_addr);
	return ret;
}

int vmm_handle_exit(struct vmm *vm)
{
	struct kvm_run *run = vm->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return vmm_handle_io(vm);
	case KVM_EXIT_MMIO:
		return vmm_handle_mmio(vm);
	case KVM_EXIT_INTR:
		return 0;
	case KVM_EXIT_HLT:
		/* Only without an irqchip: nothing can ever wake the vCPU. */
		if (!vm->cfg.timeout_ms)
			return vmm_stop_fault(vm, "guest halted with no interrupt "
					      "source and no --timeout");
		vm->halted = true;
		return 0;
	case KVM_EXIT_SHUTDOWN:
		return vmm_stop_fault(vm, "guest triple fault (shutdown)");
	case KVM_EXIT_FAIL_ENTRY:
		return vmm_stop_fault(vm, "KVM entry failed (reason 0x%llx)",
			(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	case KVM_EXIT_INTERNAL_ERROR:
		return vmm_stop_fault(vm, "KVM internal error %u (emulation failure?)",
				      run->internal.suberror);
	default:
		return vmm_stop_fault(vm, "unexpected KVM exit reason %u",
				      run->exit_reason);
	}
}

static void vmm_note_rip(struct vmm *vm)
{
	struct kvm_regs regs;
	size_t n = strlen(vm->fault);

	if (n + 32 < sizeof(vm->fault) && !ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs))
		snprintf(vm->fault + n, sizeof(vm->fault) - n, " (rip 0x%llx)",
			 (unsigned long long)regs.rip);
}

int vmm_run(struct vmm *vm)
{
	timer_t timer;
	int armed, ret = 0;

	armed = vmm_timer_start(vm, &timer);
	if (armed < 0)
		return armed;
	vm->stop = VMM_RUNNING;
	while (vm->stop == VMM_RUNNING) {
		while (vm->halted && !vmm_timed_out)
			usleep(1000);
		if (vmm_timed_out) {
			vm->stop = VMM_STOP_TIMEOUT;
			break;
		}
		ret = ioctl(vm->vcpu_fd, KVM_RUN, 0);
		if (!vm->t_first_exit_ns)
			vm->t_first_exit_ns = vmm_now_ns();
		if (ret < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				vm->run->immediate_exit = 0;
				continue;
			}
			ret = vmm_stop_fault(vm, "KVM_RUN failed: %s", strerror(errno));
			break;
		}
		vm->nr_exits++;
		vmm_handle_exit(vm);
	}
	vm->t_end_ns = vmm_now_ns();
	if (armed > 0)
		timer_delete(timer);
	vmm_timer_run = NULL;
	vm->run->immediate_exit = 0;
	/* After a shutdown exit AMD's KVM has already reset the vCPU (the
	 * VMCB is undefined after the intercept), so its rip is 0xfff0, not
	 * where the guest faulted: say nothing rather than something wrong. */
	if (vm->stop == VMM_STOP_FAULT && vm->run->exit_reason != KVM_EXIT_SHUTDOWN)
		vmm_note_rip(vm);
	return 0;
}
