/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * basic_auth_users of the web configuration: bcrypt through crypt(3)
 * (libxcrypt: $2a$, $2b$, $2y$). A bcrypt check costs tens of milliseconds
 * at cost 10, so it never runs on the HTTP event loop: a worker thread does
 * it while the connection is suspended, and credentials that passed are
 * remembered (as SHA-256 digests, not the passwords) so that a scraper's
 * requests cost one hash after the first. Wrong passwords are not
 * remembered; they wait in a bounded queue behind each other, never in front
 * of a scraper whose credentials are known. An unknown user costs a bcrypt
 * check like a known one (no user enumeration by timing).
 */
#ifndef TPHTRACE_WEBAUTH_H
#define TPHTRACE_WEBAUTH_H

#include <stdbool.h>
#include "webcfg.h"

enum webauth_result {
	WEBAUTH_PENDING,	/* queued: @done(@cookie) follows, *@result set before */
	WEBAUTH_OK,
	WEBAUTH_FAIL,
	WEBAUTH_BUSY,		/* the queue is full: try later (429) */
};

/* the queue of checks waiting for the worker */
#define WEBAUTH_MAX_PENDING	64

struct webauth;

/* @done runs on the worker thread once a queued check has its result */
int webauth_new(struct webauth **out, const struct webcfg *c, void (*done)(void *cookie));
/*
 * Check @user / @pass. OK or FAIL at once when known, else PENDING (the
 * result goes to *@result, then @done(@cookie) is called) or BUSY.
 */
enum webauth_result webauth_check(struct webauth *a, const char *user, const char *pass,
				  void *cookie, volatile int *result);
/* stop the worker; pending checks end as FAIL (each @done called) */
void webauth_free(struct webauth *a);

#endif /* TPHTRACE_WEBAUTH_H */
