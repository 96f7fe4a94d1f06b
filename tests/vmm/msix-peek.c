// SPDX-License-Identifier: MIT
/*
 * msix-peek PID BDF — the real MSI-X table of BDF, read through the VFIO
 * device that process PID (a running `passthru run`) holds, while it runs.
 *
 * A lab tool for the negative case run-linux-neg: the guest writes bogus
 * messages into what it sees as the NIC's MSI-X table; the VMM must keep
 * them virtual.  Opening the device anew would reset it (vfio-pci resets
 * on open) and wipe the evidence, so this takes a duplicate of the VMM's
 * own device fd (pidfd_getfd, root only), mmaps the BAR holding the table
 * (VFIO allows it where interrupt remapping protects the table, as in the
 * lab) and prints every entry:
 *	entry N addr_lo addr_hi data ctrl
 * Exit 0 when the table was read, 1 otherwise (with the reason).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/vfio.h>

static int die(const char *fmt, const char *arg)
{
	fprintf(stderr, "msix-peek: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	return 1;
}

/* MSI-X table BAR, offset and size from the device's config space (sysfs). */
static int msix_location(const char *bdf, int *bar, uint32_t *off, int *nr)
{
	char path[256];
	uint8_t cfg[256];
	int fd, pos;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, cfg, sizeof(cfg), 0) != sizeof(cfg))
		return -1;
	close(fd);
	for (pos = cfg[0x34] & 0xfc; pos >= 0x40 && pos < 0xfc; pos = cfg[pos + 1] & 0xfc) {
		if (cfg[pos] != 0x11)
			continue;
		*nr = ((cfg[pos + 2] | cfg[pos + 3] << 8) & 0x7ff) + 1;
		memcpy(off, &cfg[pos + 4], 4);
		*bar = *off & 7;
		*off &= ~7u;
		return 0;
	}
	return -1;
}

/* The VFIO device fd among PID's fds whose config space starts like BDF's. */
static int vmm_device_fd(int pid, const char *bdf)
{
	int pidfd = syscall(SYS_pidfd_open, pid, 0), fd = -1;
	char dir[64], link[256], path[512];
	uint32_t want, got;
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (pidfd < 0 || fd < 0 || pread(fd, &want, 4, 0) != 4)
		return -1;
	close(fd);
	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		struct vfio_region_info r = { .argsz = sizeof(r),
					      .index = VFIO_PCI_CONFIG_REGION_INDEX };
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (!strstr(link, "vfio-device") && !strstr(link, "/dev/vfio/devices/"))
			continue;
		fd = syscall(SYS_pidfd_getfd, pidfd, atoi(de->d_name), 0);
		if (fd >= 0 && !ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &r) &&
		    pread(fd, &got, 4, r.offset) == 4 && got == want)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	if (d)
		closedir(d);
	close(pidfd);
	return fd;
}

int main(int argc, char **argv)
{
	struct vfio_region_info r = { .argsz = sizeof(r) };
	uint32_t off;
	int bar, nr, fd;
	uint8_t *map;

	if (argc != 3)
		return die("usage: msix-peek PID BDF%s", "");
	if (msix_location(argv[2], &bar, &off, &nr))
		return die("%s has no MSI-X capability", argv[2]);
	fd = vmm_device_fd(atoi(argv[1]), argv[2]);
	if (fd < 0)
		return die("no VFIO device fd of %s in that process", argv[2]);
	r.index = VFIO_PCI_BAR0_REGION_INDEX + bar;
	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &r) || !(r.flags & VFIO_REGION_INFO_FLAG_MMAP))
		return die("the MSI-X BAR of %s cannot be mmapped through VFIO", argv[2]);
	map = mmap(NULL, r.size, PROT_READ, MAP_SHARED, fd, r.offset);
	if (map == MAP_FAILED)
		return die("mmap of the MSI-X BAR failed: %s", strerror(errno));
	for (int i = 0; i < nr && off + 16 * (i + 1) <= r.size; i++) {
		volatile uint32_t *e = (volatile uint32_t *)(map + off + 16 * i);

		printf("entry %d 0x%08x 0x%08x 0x%08x 0x%08x\n", i, e[0], e[1], e[2], e[3]);
	}
	return 0;
}
