/* net_init for the kernel built without a network stack (kernel-min.elf). */
#include <kernel/log.h>
#include <kernel/net.h>

#include "kcmdline.h"

/*
 * `kiln pack` puts this kernel into images whose program does not use the
 * network (or when asked with --no-net): no NIC drivers, no lwIP, no
 * AF_INET (socket() answers EAFNOSUPPORT, as for any family not built
 * in). A NIC QEMU offers anyway is left alone.
 */
void net_init(const struct kcmdline_net *cfg)
{
	if (cfg->has_ip)
		log_warn("ip= given, but this image has no network stack "
			 "(pack it with kiln pack --net)");
}
