// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * LD_PRELOAD shim for tests/reliability/test-lifecycle.sh: a poll() or
 * ppoll() with no timeout, or a read() of a pipe, that would wait first
 * sleeps SLOWPOLL_MS (restarting the sleep when a signal interrupts it).
 * That holds open the window between a loop's last look at its stop flag
 * and the wait, so that a stop signal sent meanwhile lands in it every
 * time: a loop that can lose the signal there then waits for good. (stdio
 * reads through glibc's internal read, which this read() does not see.)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int (*real_poll(void))(struct pollfd *, nfds_t, int)
{
	return (int (*)(struct pollfd *, nfds_t, int))dlsym(RTLD_NEXT, "poll");
}

static void hold_window(void)
{
	const char *ms = getenv("SLOWPOLL_MS");
	struct timespec left;
	long v = ms ? atol(ms) : 0;

	left.tv_sec = v / 1000;
	left.tv_nsec = (v % 1000) * 1000000L;
	while (v > 0 && nanosleep(&left, &left) < 0 && errno == EINTR)
		;
}

/* nothing ready on @fds now: the call would wait */
static int would_wait(struct pollfd *fds, nfds_t n)
{
	struct pollfd copy[8];
	nfds_t i;

	if (n > 8)
		return 1;
	for (i = 0; i < n; i++)
		copy[i] = fds[i];
	return real_poll()(copy, n, 0) == 0;
}

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	if (timeout < 0 && would_wait(fds, n))
		hold_window();
	return real_poll()(fds, n, timeout);
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask)
{
	int (*real)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *) =
		dlsym(RTLD_NEXT, "ppoll");

	if (!ts && would_wait(fds, n))
		hold_window();
	return real(fds, n, ts, mask);
}

ssize_t read(int fd, void *buf, size_t len)
{
	ssize_t (*real)(int, void *, size_t) = dlsym(RTLD_NEXT, "read");
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct stat st;

	if (!fstat(fd, &st) && S_ISFIFO(st.st_mode) && would_wait(&p, 1))
		hold_window();
	return real(fd, buf, len);
}
