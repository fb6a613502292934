/* /etc/passwd and /etc/group as a server that drops privileges reads them. */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	struct passwd *pw;
	struct group *gr;
	int found = 0;

	/* Each call reuses one static struct: print before the next. */
	if ((pw = getpwnam("nobody")) && ++found)
		printf("nobody %u %u %s\n", (unsigned)pw->pw_uid,
		       (unsigned)pw->pw_gid, pw->pw_dir);
	if ((gr = getgrnam("nogroup")) && ++found)
		printf("nogroup %u\n", (unsigned)gr->gr_gid);
	if ((pw = getpwuid(getuid())) && ++found)
		printf("uid %u is %s\n", (unsigned)getuid(), pw->pw_name);
	return found == 3 ? 0 : 1;
}
