/* Control messages of sendmsg and recvmsg (sys_socket_scm.c). */
#ifndef KERNEL_SYS_SCM_H
#define KERNEL_SYS_SCM_H

#include <kernel/socket.h>
#include <kernel/types.h>

/* sendmsg's control data (len bytes at user address uctl), as Linux's
 * __scm_send(): SCM_RIGHTS descriptors referenced into m->files. 0 or
 * -errno. */
long scm_in(uint64_t uctl, uint64_t len, struct sock_msg *m);
/* recvmsg: m's received descriptors installed into the control buffer
 * (ulen bytes at uctl) as far as it holds them, the rest dropped with
 * MSG_CTRUNC. The control bytes used, or -errno. */
long scm_out(struct sock_msg *m, uint64_t uctl, uint64_t ulen, bool cloexec);
/* Drop the references m->files holds. */
void scm_put_files(struct sock_msg *m);

#endif
