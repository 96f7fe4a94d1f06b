// SPDX-License-Identifier: MIT
/*
 * kvm-probe.c — can the VMM suites run on this host's /dev/kvm?
 *
 * `make check` asks once, at the start, and runs tests/vmm here when the
 * answer is yes, inside the lab VM (whose nested /dev/kvm always works)
 * when it is no.  Usable means: /dev/kvm exists, opens read-write, speaks
 * the stable API, and KVM_CREATE_VM succeeds — a node that exists but
 * cannot make a VM (no vmx/svm exposed to this VM, nested virtualisation
 * off) is not usable.  Prints one line saying where the suites run and
 * why; exits 0 for "here", 1 for "in the lab".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

static int cpu_has_virt(void)
{
	char line[4096];
	FILE *f = fopen("/proc/cpuinfo", "r");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "flags", 5) &&
			(strstr(line, " vmx") || strstr(line, " svm"));
	fclose(f);
	return found;
}

static int not_here(const char *why)
{
	printf("vmm: no usable /dev/kvm here (%s): running the VMM suites inside the lab\n",
	       why);
	return 1;
}

int main(void)
{
	char why[128];
	int kvm, vm;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		snprintf(why, sizeof(why), "/dev/kvm: %s%s", strerror(errno),
			 cpu_has_virt() ? "" : "; no vmx/svm in /proc/cpuinfo");
		return not_here(why);
	}
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		close(kvm);
		return not_here("/dev/kvm speaks another API version");
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		snprintf(why, sizeof(why), "KVM_CREATE_VM: %s", strerror(errno));
		close(kvm);
		return not_here(why);
	}
	close(vm);
	close(kvm);
	printf("vmm: this host's /dev/kvm\n");
	return 0;
}
