/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The signals that stop a command (SIGINT, SIGTERM, SIGHUP: the live loop,
 * runner.c, and replays, replay.c), and a wait that cannot lose one of them.
 */
#ifndef TPHTRACE_STOPSIG_H
#define TPHTRACE_STOPSIG_H

#include <poll.h>
#include <signal.h>

#define N_STOP_SIGNALS	3
extern const int stop_signals[N_STOP_SIGNALS];

/*
 * poll() (@timeout_ms < 0: no timeout) unless *@stop is set: -1 with errno
 * EINTR then, also when a stop signal comes while it waits. A signal that
 * set *@stop after the caller last looked and before poll() began to sleep
 * would otherwise be lost until some other event (an idle tracer, a silent
 * pipe: never): the stop signals stay blocked from the look at *@stop to the
 * wait, and ppoll() unblocks them while it waits.
 */
int poll_unless_stopped(struct pollfd *pfd, nfds_t n, int timeout_ms,
			const volatile sig_atomic_t *stop);

#endif /* TPHTRACE_STOPSIG_H */
