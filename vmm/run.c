// SPDX-License-Identifier: MIT
/*
 * vmm/run.c — running a VM: one thread per vCPU, and the control loop.
 *
 * Each vCPU thread loops on KVM_RUN and handles its exits under vm->lock.
 * The caller's thread runs the control loop: it sleeps in poll() on the
 * wake eventfd and the console's fds until a vCPU stops the guest (exit
 * port, fault, reset), the timeout passes, a signal asks for a stop
 * (vmm_request_stop) or the console's Ctrl-A x; it also moves the
 * console's bytes (vmm/console.c).
 *
 * Stopping: the control loop sets vm->stop, then sends every vCPU thread
 * the kick signal, whose handler sets that thread's kvm_run->immediate_exit.
 * KVM_RUN then returns -EINTR whether the signal arrived inside the ioctl
 * or just before it (no lost wake-up), the thread sees vm->stop and ends.
 * An application processor still waiting for its SIPI is woken the same way.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

static __thread struct kvm_run *vmm_kick_run;

static void vmm_kick_handler(int sig)
{
	(void)sig;
	if (vmm_kick_run)
		vmm_kick_run->immediate_exit = 1;
}

static int vmm_kick_signal(void)
{
	return SIGRTMIN;
}

static int vmm_install_kick(void)
{
	struct sigaction sa = { .sa_handler = vmm_kick_handler };

	sigemptyset(&sa.sa_mask);
	if (sigaction(vmm_kick_signal(), &sa, NULL))
		return pt_set_error(errno, "vmm: sigaction failed: %s", strerror(errno));
	return 0;
}

void vmm_wake(struct vmm *vm)
{
	uint64_t one = 1;

	if (vm->wake_fd >= 0 && write(vm->wake_fd, &one, sizeof(one)) < 0)
		return;		/* the counter is full: a wake-up is pending anyway */
}

void vmm_request_stop(struct vmm *vm, int signo)
{
	vm->stop_signal = signo;
	vmm_wake(vm);
}

static bool vmm_stopped(struct vmm *vm)
{
	return __atomic_load_n(&vm->stop, __ATOMIC_ACQUIRE) != VMM_RUNNING;
}

static void vmm_set_stop(struct vmm *vm, int why)
{
	pthread_mutex_lock(&vm->lock);
	if (vm->stop == VMM_RUNNING)
		__atomic_store_n(&vm->stop, why, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&vm->lock);
}

/* Where the faulting vCPU was, appended to the fault message. */
static void vmm_note_rip(struct vmm_vcpu *cpu)
{
	struct vmm *vm = cpu->vm;
	struct kvm_regs regs;
	size_t n = strlen(vm->fault);

	if (n + 40 >= sizeof(vm->fault) || ioctl(cpu->fd, KVM_GET_REGS, &regs))
		return;
	if (vm->nr_cpus > 1)
		snprintf(vm->fault + n, sizeof(vm->fault) - n, " (vCPU %d rip 0x%llx)",
			 cpu->id, (unsigned long long)regs.rip);
	else
		snprintf(vm->fault + n, sizeof(vm->fault) - n, " (rip 0x%llx)",
			 (unsigned long long)regs.rip);
}

static void vmm_vcpu_exit(struct vmm_vcpu *cpu)
{
	struct vmm *vm = cpu->vm;
	bool fault_before;

	pthread_mutex_lock(&vm->lock);
	if (!vm->t_first_exit_ns)
		vm->t_first_exit_ns = vmm_now_ns();
	vm->nr_exits++;
	fault_before = vm->stop == VMM_STOP_FAULT;
	vmm_handle_exit(cpu);
	/* After a shutdown exit AMD's KVM has already reset the vCPU (the
	 * VMCB is undefined after the intercept), so its rip is 0xfff0, not
	 * where the guest faulted: say nothing rather than something wrong. */
	if (!fault_before && vm->stop == VMM_STOP_FAULT &&
	    cpu->run->exit_reason != KVM_EXIT_SHUTDOWN)
		vmm_note_rip(cpu);
	pthread_mutex_unlock(&vm->lock);
}

static void *vmm_vcpu_thread(void *arg)
{
	struct vmm_vcpu *cpu = arg;
	struct vmm *vm = cpu->vm;
	sigset_t only_kick;

	/* Process signals (SIGINT, the timeout's) belong to the control loop. */
	sigfillset(&only_kick);
	sigdelset(&only_kick, vmm_kick_signal());
	pthread_sigmask(SIG_SETMASK, &only_kick, NULL);
	vmm_kick_run = cpu->run;
	while (!vmm_stopped(vm) && !cpu->halted) {
		if (ioctl(cpu->fd, KVM_RUN, 0) == 0) {
			vmm_vcpu_exit(cpu);
			continue;
		}
		if (errno == EINTR || errno == EAGAIN) {
			cpu->run->immediate_exit = 0;
			continue;
		}
		pthread_mutex_lock(&vm->lock);
		vmm_stop_fault(vm, "KVM_RUN on vCPU %d failed: %s", cpu->id,
			       strerror(errno));
		pthread_mutex_unlock(&vm->lock);
	}
	vmm_kick_run = NULL;
	vmm_wake(vm);
	return NULL;
}

static void vmm_stop_vcpus(struct vmm *vm)
{
	for (int i = 0; i < vm->nr_cpus; i++)
		if (vm->cpu[i].thread_live)
			pthread_kill(vm->cpu[i].thread, vmm_kick_signal());
	for (int i = 0; i < vm->nr_cpus; i++) {
		if (!vm->cpu[i].thread_live)
			continue;
		pthread_join(vm->cpu[i].thread, NULL);
		vm->cpu[i].thread_live = false;
	}
}

static int vmm_start_vcpus(struct vmm *vm)
{
	int err;

	for (int i = 0; i < vm->nr_cpus; i++) {
		vm->cpu[i].halted = false;
		err = pthread_create(&vm->cpu[i].thread, NULL, vmm_vcpu_thread,
				     &vm->cpu[i]);
		if (err) {
			vmm_set_stop(vm, VMM_STOP_FAULT);
			vmm_stop_vcpus(vm);
			return pt_set_error(err, "vmm: cannot start the thread of vCPU "
					    "%d: %s", i, strerror(err));
		}
		vm->cpu[i].thread_live = true;
	}
	return 0;
}

/* Milliseconds to sleep before the deadline (rounded up), -1 for none. */
static int vmm_poll_ms(uint64_t deadline)
{
	uint64_t now = vmm_now_ns();

	if (!deadline)
		return -1;
	if (now >= deadline)
		return 0;
	return (deadline - now + 999999) / 1000000;
}

static void vmm_control_loop(struct vmm *vm)
{
	uint64_t deadline = vm->cfg.timeout_ms ?
			    vm->t_run_ns + vm->cfg.timeout_ms * 1000000ULL : 0;
	struct pollfd p[3] = { { .fd = vm->wake_fd, .events = POLLIN } };
	uint64_t count;

	while (!vmm_stopped(vm)) {
		vmm_console_poll_fds(vm, &p[1], &p[2]);
		if (poll(p, 3, vmm_poll_ms(deadline)) < 0 && errno != EINTR)
			break;
		if (p[0].revents && read(vm->wake_fd, &count, sizeof(count)) < 0)
			count = 0;
		if (vm->stop_signal)
			vmm_set_stop(vm, VMM_STOP_SIGNAL);
		if (p[1].fd >= 0 && p[1].revents)
			vmm_console_input(vm);
		if (p[2].fd >= 0 && p[2].revents)
			vmm_console_output(vm, false);
		if (deadline && vmm_now_ns() >= deadline)
			vmm_set_stop(vm, VMM_STOP_TIMEOUT);
	}
}

int vmm_run(struct vmm *vm)
{
	int ret;

	vm->t_run_ns = vmm_now_ns();
	ret = vmm_install_kick();
	if (!ret)
		ret = vmm_console_init(vm);
	if (ret)
		return ret;
	ret = vmm_start_vcpus(vm);
	if (!ret)
		vmm_control_loop(vm);
	vmm_stop_vcpus(vm);
	vm->t_end_ns = vmm_now_ns();
	vmm_console_exit(vm);
	if (vm->con.out_fd >= 0)
		vmm_console_output(vm, true);
	for (int i = 0; i < vm->nr_cpus; i++)
		vm->cpu[i].run->immediate_exit = 0;
	return ret;
}
