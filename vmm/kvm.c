// SPDX-License-Identifier: MIT
/*
 * vmm/kvm.c — /dev/kvm, the VM, its vCPUs, their CPUID, and what an exit
 * means.  The threads that run the vCPUs are vmm/run.c's.
 *
 * Two kinds of VM: the bare-metal guests' (one vCPU, no irqchip unless
 * there are devices, CPUID without XSAVE) and an operating system's
 * (cfg.os_platform: in-kernel irqchip and PIT, N vCPUs whose CPUID carries
 * their APIC ID, the hypervisor bit and KVM's paravirtual leaves, so Linux
 * finds kvm-clock; the i8042 and the CMOS clock).  vCPU 0 is the bootstrap processor; the
 * others wait in the in-kernel local APIC for Linux's INIT/SIPI.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

/* Addresses Intel's KVM needs for real-mode emulation; outside our map. */
#define VMM_TSS_ADDR		0xfffbd000ULL
#define VMM_IDENTITY_MAP_ADDR	0xfffbc000ULL

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
	case VMM_STOP_RESET:
		return 0;
	case VMM_STOP_SIGNAL:
		return 128 + (vm->stop_signal & 0x7f);
	case VMM_STOP_QUIT:
		return VMM_STATUS_QUIT;
	default:
		return VMM_STATUS_FAULT;
	}
}

const char *vmm_stop_name(int stop)
{
	switch (stop) {
	case VMM_STOP_EXIT: return "exit";
	case VMM_STOP_TIMEOUT: return "timeout";
	case VMM_STOP_FAULT: return "fault";
	case VMM_STOP_RESET: return "reboot";
	case VMM_STOP_SIGNAL: return "signal";
	case VMM_STOP_QUIT: return "quit";
	default: return "running";
	}
}

static struct kvm_cpuid2 *vmm_supported_cpuid(struct vmm *vm)
{
	struct kvm_cpuid2 *cpuid;
	int nent = 128, err;

	for (;;) {
		cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
		if (!cpuid) {
			pt_set_error(ENOMEM, "vmm: out of memory for CPUID");
			return NULL;
		}
		cpuid->nent = nent;
		if (!ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid))
			return cpuid;
		err = errno;
		free(cpuid);
		if (err != E2BIG || nent >= 4096) {
			pt_set_error(err, "vmm: KVM_GET_SUPPORTED_CPUID failed: %s",
				     strerror(err));
			return NULL;
		}
		nent *= 2;
	}
}

#define CPUID_1_ECX_TSC_DEADLINE	(1u << 24)
#define CPUID_1_ECX_XSAVE		(1u << 26)
#define CPUID_1_ECX_OSXSAVE		(1u << 27)
#define CPUID_1_ECX_HYPERVISOR		(1u << 31)

/*
 * What KVM supports, made true for vCPU `id`: its APIC ID in leaf 1 and in
 * the x2APIC topology leaves (Linux checks them against the MP table), the
 * hypervisor bit (without it Linux never looks at KVM's leaves 0x4000_00xx
 * and so never uses kvm-clock).  The TSC-deadline timer stays hidden, so
 * Linux runs its LAPIC timer in one-shot mode: under a KVM whose TSC rate
 * is not the one it offers its guests ("user requested TSC rate below
 * hardware speed", as in the lab's nested KVM), deadline interrupts
 * stopped coming once the guest's e1000e driver started, and the guest
 * hung in msleep() (README, the nested-guest stall).  The bare-metal
 * guests keep what they always had: XSAVE hidden.
 */
static void vmm_cpuid_fixup(struct vmm *vm, struct kvm_cpuid2 *cpuid, int id)
{
	for (unsigned int i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (!vm->cfg.os_platform) {
			if (e->function == 1)
				e->ecx &= ~(CPUID_1_ECX_XSAVE | CPUID_1_ECX_OSXSAVE);
			continue;
		}
		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x00ffffff) | (uint32_t)id << 24;
			e->ecx |= CPUID_1_ECX_HYPERVISOR;
			e->ecx &= ~CPUID_1_ECX_TSC_DEADLINE;
			break;
		case 0xb:
		case 0x1f:
			e->edx = id;
			break;
		}
	}
}

static int vmm_set_cpuid(struct vmm *vm, struct vmm_vcpu *cpu)
{
	struct kvm_cpuid2 *cpuid = vmm_supported_cpuid(vm);
	int err;

	if (!cpuid)
		return -ENOMEM;
	vmm_cpuid_fixup(vm, cpuid, cpu->id);
	err = ioctl(cpu->fd, KVM_SET_CPUID2, cpuid) ? errno : 0;
	free(cpuid);
	if (err)
		return pt_set_error(err, "vmm: KVM_SET_CPUID2 on vCPU %d failed: %s",
				    cpu->id, strerror(err));
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

/*
 * An application processor waits for INIT/SIPI in the in-kernel local APIC
 * (KVM_MP_STATE_UNINITIALIZED, KVM's default for vCPUs other than 0 with an
 * in-kernel irqchip; said explicitly here): Linux's SIPI then starts it in
 * real mode at the trampoline the kernel put below 1 MiB, as on hardware.
 * The VMM sets no registers for it, as kvmtool does not.
 */
static int vmm_park_ap(struct vmm_vcpu *cpu)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_UNINITIALIZED };
	int err;

	if (!cpu->id || !ioctl(cpu->fd, KVM_SET_MP_STATE, &mp))
		return 0;
	err = errno;
	return pt_set_error(err, "vmm: KVM_SET_MP_STATE on vCPU %d failed: %s",
			    cpu->id, strerror(err));
}

static int vmm_create_vcpu(struct vmm *vm, int id)
{
	struct vmm_vcpu *cpu = &vm->cpu[id];
	int ret;

	cpu->vm = vm;
	cpu->id = id;
	cpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (cpu->fd < 0) {
		ret = errno;
		return pt_set_error(ret, "vmm: KVM_CREATE_VCPU %d failed: %s", id,
				    strerror(ret));
	}
	cpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			cpu->fd, 0);
	if (cpu->run == MAP_FAILED) {
		ret = errno;
		cpu->run = NULL;
		return pt_set_error(ret, "vmm: mmap of kvm_run failed: %s", strerror(ret));
	}
	vm->nr_cpus = id + 1;
	ret = vmm_set_cpuid(vm, cpu);
	if (!ret && vm->irqchip)
		ret = vmm_park_ap(cpu);
	return ret;
}

static int vmm_create_vcpus(struct vmm *vm)
{
	int n = vm->cfg.nr_cpus > 0 ? vm->cfg.nr_cpus : 1, sz, ret;

	sz = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz < (int)sizeof(struct kvm_run))
		return pt_set_error(EINVAL, "vmm: bad KVM_GET_VCPU_MMAP_SIZE %d", sz);
	vm->run_size = sz;
	for (int id = 0; id < n; id++) {
		ret = vmm_create_vcpu(vm, id);
		if (ret)
			return ret;
	}
	return 0;
}

static int vmm_check_config(const struct vmm_config *cfg)
{
	uint64_t max = cfg->os_platform ? VMM_MEM_MAX_LINUX : VMM_MEM_MAX;

	if (cfg->mem_size < VMM_MEM_MIN || cfg->mem_size > max ||
	    (cfg->mem_size & 0xfff))
		return pt_set_error(EINVAL, "vmm: guest memory must be a multiple of "
				    "4 KiB between 2 MiB and %llu GiB (asked %llu bytes)",
				    (unsigned long long)(max >> 30),
				    (unsigned long long)cfg->mem_size);
	if (cfg->nr_cpus < 0 || cfg->nr_cpus > VMM_MAX_CPUS ||
	    (cfg->nr_cpus > 1 && !cfg->os_platform))
		return pt_set_error(EINVAL, "vmm: %d vCPUs asked; 1 to %d, more than one "
				    "only for an operating system", cfg->nr_cpus,
				    VMM_MAX_CPUS);
	return 0;
}

static int vmm_alloc_state(struct vmm *vm)
{
	vm->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->wake_fd < 0)
		return pt_set_error(errno, "vmm: eventfd failed: %s", strerror(errno));
	if (vm->cfg.serial_capture) {
		vm->serial_buf = calloc(1, vm->cfg.serial_capture + 1);
		if (!vm->serial_buf)
			return pt_set_error(ENOMEM, "vmm: out of memory");
	}
	return 0;
}

/* The ports every guest gets, and the PC's for an operating system. */
static int vmm_devices_init(struct vmm *vm)
{
	int ret = vmm_uart_init(vm);

	if (!ret)
		ret = vmm_debug_exit_init(vm);
	if (!ret && vm->cfg.os_platform)
		ret = vmm_i8042_init(vm);
	if (!ret && vm->cfg.os_platform)
		ret = vmm_rtc_init(vm);
	if (!ret)
		ret = vmm_pci_init(vm);
	return ret;
}

int vmm_create(struct vmm **out, const struct vmm_config *cfg)
{
	struct vmm *vm;
	int ret;

	ret = vmm_check_config(cfg);
	if (ret)
		return ret;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return pt_set_error(ENOMEM, "vmm: out of memory");
	vm->cfg = *cfg;
	vm->kvm_fd = vm->vm_fd = vm->mem_fd = vm->wake_fd = -1;
	vm->con.in_fd = vm->con.out_fd = -1;
	for (int i = 0; i < VMM_MAX_CPUS; i++)
		vm->cpu[i].fd = -1;
	pthread_mutex_init(&vm->lock, NULL);
	vm->pio.name = "pio";
	vm->mmio.name = "mmio";
	vm->t_start_ns = vmm_now_ns();
	ret = vmm_alloc_state(vm);
	if (!ret)
		ret = vmm_open_kvm(vm);
	/*
	 * RAM before the irqchip: on the nested KVM measured here, the first
	 * memslot change after KVM_CREATE_IRQCHIP waits ~6.6 ms for an SRCU
	 * grace period, before it ~0.07 ms.  The irqchip must precede the vCPUs.
	 */
	if (!ret)
		ret = vmm_mem_init(vm, cfg->mem_size);
	if (!ret)
		ret = vmm_irq_init(vm);
	if (!ret)
		ret = vmm_create_vcpus(vm);
	if (!ret)
		ret = vmm_devices_init(vm);
	if (ret) {
		vmm_destroy(vm);
		return ret;
	}
	*out = vm;
	return 0;
}

void vmm_destroy(struct vmm *vm)
{
	if (!vm)
		return;
	vmm_pci_exit(vm);
	vmm_irq_exit(vm);
	for (int i = 0; i < vm->nr_cpus; i++) {
		if (vm->cpu[i].run)
			munmap(vm->cpu[i].run, vm->run_size);
		if (vm->cpu[i].fd >= 0)
			close(vm->cpu[i].fd);
	}
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	vmm_mem_exit(vm);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->wake_fd >= 0)
		close(vm->wake_fd);
	pthread_mutex_destroy(&vm->lock);
	free(vm->con.ring);
	free(vm->serial_buf);
	free(vm);
}

/* ---- exits --------------------------------------------------------------------- */

static int vmm_handle_io(struct vmm_vcpu *cpu)
{
	struct vmm *vm = cpu->vm;
	struct kvm_run *run = cpu->run;
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

static int vmm_handle_mmio(struct vmm_vcpu *cpu)
{
	struct vmm *vm = cpu->vm;
	struct kvm_run *run = cpu->run;
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

static int vmm_handle_system_event(struct vmm_vcpu *cpu)
{
	struct vmm *vm = cpu->vm;

	switch (cpu->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
	case KVM_SYSTEM_EVENT_RESET:
		if (vm->stop == VMM_RUNNING)
			vm->stop = VMM_STOP_RESET;
		return 0;
	default:
		return vmm_stop_fault(vm, "guest system event %u (crash)",
				      cpu->run->system_event.type);
	}
}

int vmm_handle_exit(struct vmm_vcpu *cpu)
{
	struct vmm *vm = cpu->vm;
	struct kvm_run *run = cpu->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return vmm_handle_io(cpu);
	case KVM_EXIT_MMIO:
		return vmm_handle_mmio(cpu);
	case KVM_EXIT_INTR:
		return 0;
	case KVM_EXIT_HLT:
		/* Only without an irqchip: nothing can ever wake the vCPU. */
		if (!vm->cfg.timeout_ms)
			return vmm_stop_fault(vm, "guest halted with no interrupt "
					      "source and no --timeout");
		cpu->halted = true;
		return 0;
	case KVM_EXIT_SHUTDOWN:
		return vmm_stop_fault(vm, "guest triple fault (shutdown)");
	case KVM_EXIT_SYSTEM_EVENT:
		return vmm_handle_system_event(cpu);
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
