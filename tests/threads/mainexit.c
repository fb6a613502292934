/* The first thread ends with pthread_exit while another runs on: the
 * process lives until that one returns (exit status 0, as musl makes the
 * last thread's exit). */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_t first;

static void *survivor(void *arg)
{
	(void)arg;
	usleep(50000); /* the first thread has exited by now */
	/* Joining the exited first thread works too. */
	if (pthread_join(first, NULL) != 0)
		printf("not ok join_first_thread: join failed\n");
	else
		printf("ok join_first_thread\n");
	printf("survivor done\n");
	fflush(stdout);
	return NULL;
}

int main(void)
{
	pthread_t t;

	first = pthread_self();
	pthread_create(&t, NULL, survivor, NULL);
	printf("first thread exits\n");
	fflush(stdout);
	pthread_exit(NULL);
}
