// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the list of this host's addresses that the never-block guard refuses to
 * block (bl_host_addrs in blocklist.h): one RTM_GETADDR dump. The blocklist reads it only where
 * a block is added (BL_OPEN_GUARD); a delete, an unblock or a list never asks the kernel.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "blocklist.h"

/* Appends one address of an RTM_NEWADDR message: IFA_LOCAL when present (the peer of a
 * point-to-point link is IFA_ADDRESS then), else IFA_ADDRESS, as getifaddrs() takes it. */
static int add_host_addr(const struct nlmsghdr *nh, struct arxdp_addr **list, size_t *cnt)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	const struct rtattr *rta, *local = NULL, *addr = NULL;
	size_t alen = ifa->ifa_family == AF_INET ? 4 : 16;
	struct arxdp_addr a = {}, *tmp;
	int len = (int)IFA_PAYLOAD(nh);

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return 0;
	for (rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFA_LOCAL)
			local = rta;
		else if (rta->rta_type == IFA_ADDRESS)
			addr = rta;
	}
	rta = local ? local : addr;
	if (!rta || RTA_PAYLOAD(rta) < alen)
		return 0;
	a.family = alen == 4 ? 4 : 6;
	a.prefixlen = alen == 4 ? 32 : 128;
	memcpy(a.a, RTA_DATA(rta), alen);
	tmp = realloc(*list, (*cnt + 1) * sizeof(**list));
	if (!tmp)
		return -ENOMEM;
	*list = tmp;
	(*list)[(*cnt)++] = a;
	return 0;
}

/*
 * One RTM_GETADDR dump: what getifaddrs() gives, without the link dump (every interface's
 * statistics) getifaddrs() also asks for, which the CLI and the drop-in paid at every start.
 */
int bl_host_addrs(struct arxdp_addr **out, size_t *n)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
	} req = {
		.nh = { .nlmsg_len = sizeof(req),
			.nlmsg_type = RTM_GETADDR,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1 },
		.ifa = { .ifa_family = AF_UNSPEC },
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct arxdp_addr *list = NULL;
	size_t cnt = 0, bufsz = 32768;
	int fd, err = 0, i;
	bool done = false;
	char *buf;
	ssize_t got;

	buf = malloc(bufsz);
	if (!buf)
		return -ENOMEM;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		err = -errno;
		goto out;
	}
	/* Bounded: a dump of a million addresses is far beyond any host. */
	for (i = 0; !done && !err && i < (1 << 20); i++) {
		const struct nlmsghdr *nh;
		int len;

		got = recv(fd, buf, bufsz, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = -errno;
			break;
		}
		if (got == 0) {
			err = -EIO;
			break;
		}
		len = (int)got;
		for (nh = (const struct nlmsghdr *)buf; !done && !err && NLMSG_OK(nh, len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_seq != req.nh.nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_DONE)
				done = true;
			else if (nh->nlmsg_type == NLMSG_ERROR)
				err = ((const struct nlmsgerr *)NLMSG_DATA(nh))->error ?: -EIO;
			else if (nh->nlmsg_type == RTM_NEWADDR)
				err = add_host_addr(nh, &list, &cnt);
		}
	}
	if (!err && !done)
		err = -EIO;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	if (err) {
		free(list);
		return err;
	}
	*out = list;
	*n = cnt;
	return 0;
}
