// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the floor of the start-up benchmark (tools/bench-exec.sh): the least a
 * drop-in linked as ours is (libc and libcjson, dynamically) can do per action. It finds its
 * executable (one readlink, as the drop-in finds its home), opens one pinned map by path,
 * writes and deletes one entry (a private benchmark map), appends one line to a log and
 * exits: no settings, no other map, no lock, no address dump. Timed beside the drop-in, it
 * bounds what any change to the programs themselves can gain.
 *
 * Usage: bench-exec-floor PIN_DIR LOG
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <cjson/cJSON.h>

static int map_touch(const char *pin_dir)
{
	__u32 key = 0x010012c6; /* 198.18.0.1 */
	__u8 value[64] = { 0 };
	char path[PATH_MAX];
	union bpf_attr a;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/block_v4", pin_dir);
	memset(&a, 0, sizeof(a));
	a.pathname = (__u64)(unsigned long)path;
	fd = syscall(SYS_bpf, BPF_OBJ_GET, &a, sizeof(a));
	if (fd < 0)
		return -errno;
	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (__u64)(unsigned long)&key;
	a.value = (__u64)(unsigned long)value;
	a.flags = BPF_ANY;
	if (syscall(SYS_bpf, BPF_MAP_UPDATE_ELEM, &a, sizeof(a)))
		err = -errno;
	a.value = 0;
	a.flags = 0;
	if (!err && syscall(SYS_bpf, BPF_MAP_DELETE_ELEM, &a, sizeof(a)))
		err = -errno;
	close(fd);
	return err;
}

int main(int argc, char **argv)
{
	char exe[PATH_MAX];
	ssize_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: bench-exec-floor PIN_DIR LOG\n");
		return 2;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return 1;
	if (map_touch(argv[1]))
		return 1;
	fd = open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "floor\n", 6) != 6)
		return 1;
	close(fd);
	/* Keeps libcjson a dependency, as the drop-in's is (the linker drops unused ones). */
	return cJSON_GetStringValue(NULL) ? 1 : 0;
}
