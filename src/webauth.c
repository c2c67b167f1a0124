// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* basic_auth_users: bcrypt on a worker thread, known credentials cached (see webauth.h). */
#include <crypt.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "httplib.h"
#include "webauth.h"

#define MAX_USER	256
#define MAX_PASS	1024
#define CACHE_SLOTS	64
#define DIGEST_LEN	32	/* SHA-256 */

/* bcrypt of a string nobody knows, cost 10: what an unknown user is checked against */
static const char dummy_hash[] = "$2b$10$nnhFdppXRjKlFWi59ReILeh75j4zBiCmigWdsh1U6SgU/x.4v0Zpy";

struct job {
	char user[MAX_USER + 1];
	char pass[MAX_PASS + 1];
	void *cookie;
	volatile int *result;
};

struct webauth {
	const struct webcfg *c;
	void (*done)(void *cookie);
	pthread_t worker;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	struct job q[WEBAUTH_MAX_PENDING];
	unsigned int head, n;
	uint8_t cache[CACHE_SLOTS][DIGEST_LEN];
	unsigned int ncache, next_slot;
};

static const char *hash_of(const struct webcfg *c, const char *user)
{
	unsigned int i;

	for (i = 0; i < c->nusers; i++)
		if (!strcmp(c->users[i].name, user))
			return c->users[i].hash;
	return NULL;
}

/* SHA-256 of user \0 password \0 hash: what the cache holds */
static int digest(const char *user, const char *pass, const char *hash,
		  uint8_t out[DIGEST_LEN])
{
	size_t ul = strlen(user) + 1, pl = strlen(pass) + 1, hl = strlen(hash) + 1;
	char *buf = malloc(ul + pl + hl);
	int ret;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, user, ul);
	memcpy(buf + ul, pass, pl);
	memcpy(buf + ul + pl, hash, hl);
	ret = gnutls_hash_fast(GNUTLS_DIG_SHA256, buf, ul + pl + hl, out) < 0 ? -EIO : 0;
	explicit_bzero(buf, ul + pl + hl);
	free(buf);
	return ret;
}

static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return !d;
}

static bool cached(struct webauth *a, const uint8_t *d)
{
	bool hit = false;
	unsigned int i;

	pthread_mutex_lock(&a->lock);
	for (i = 0; i < a->ncache; i++)
		hit |= same(a->cache[i], d, DIGEST_LEN);
	pthread_mutex_unlock(&a->lock);
	return hit;
}

/* crypt(3) of @pass with @hash's setting equals @hash */
static bool bcrypt_ok(struct crypt_data *cd, const char *pass, const char *hash)
{
	const char *out = crypt_rn(pass, hash, cd, sizeof(*cd));
	size_t n = strlen(hash);

	return out && strlen(out) == n && same((const uint8_t *)out, (const uint8_t *)hash, n);
}

static void check_one(struct webauth *a, struct crypt_data *cd, struct job *j)
{
	const char *hash = hash_of(a->c, j->user);
	uint8_t d[DIGEST_LEN];
	bool ok;

	/* an unknown user costs the same bcrypt check, and fails */
	ok = bcrypt_ok(cd, j->pass, hash ? hash : dummy_hash) && hash;
	if (ok && !digest(j->user, j->pass, hash, d)) {
		pthread_mutex_lock(&a->lock);
		memcpy(a->cache[a->next_slot], d, DIGEST_LEN);
		a->next_slot = (a->next_slot + 1) % CACHE_SLOTS;
		if (a->ncache < CACHE_SLOTS)
			a->ncache++;
		pthread_mutex_unlock(&a->lock);
	}
	*j->result = ok ? WEBAUTH_OK : WEBAUTH_FAIL;
}

static void *worker(void *arg)
{
	struct webauth *a = arg;
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	struct job j;
	bool stopping;

	for (;;) {
		pthread_mutex_lock(&a->lock);
		while (!a->stop && !a->n)
			pthread_cond_wait(&a->cond, &a->lock);
		if (!a->n) {
			pthread_mutex_unlock(&a->lock);
			break;
		}
		j = a->q[a->head];
		explicit_bzero(a->q[a->head].pass, sizeof(a->q[a->head].pass));
		a->head = (a->head + 1) % WEBAUTH_MAX_PENDING;
		a->n--;
		stopping = a->stop;
		pthread_mutex_unlock(&a->lock);
		if (stopping || !cd)
			*j.result = WEBAUTH_FAIL;	/* stopping: no more bcrypt */
		else
			check_one(a, cd, &j);
		explicit_bzero(j.pass, sizeof(j.pass));
		a->done(j.cookie);
	}
	free(cd);
	return NULL;
}

int webauth_new(struct webauth **out, const struct webcfg *c, void (*done)(void *cookie))
{
	struct webauth *a;

	/*
	 * The credential cache calls gnutls_hash_fast() through httplib.h's
	 * table: httpd_start(), the only caller, has loaded it.
	 */
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->c = c;
	a->done = done;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	if (pthread_create(&a->worker, NULL, worker, a)) {
		pthread_mutex_destroy(&a->lock);
		pthread_cond_destroy(&a->cond);
		free(a);
		return -EAGAIN;
	}
	*out = a;
	return 0;
}

enum webauth_result webauth_check(struct webauth *a, const char *user, const char *pass,
				  void *cookie, volatile int *result)
{
	const char *hash = hash_of(a->c, user);
	uint8_t d[DIGEST_LEN];
	struct job *j;

	if (strlen(user) > MAX_USER || strlen(pass) > MAX_PASS)
		return WEBAUTH_FAIL;
	if (hash && !digest(user, pass, hash, d) && cached(a, d))
		return WEBAUTH_OK;
	pthread_mutex_lock(&a->lock);
	if (a->n == WEBAUTH_MAX_PENDING || a->stop) {
		pthread_mutex_unlock(&a->lock);
		return WEBAUTH_BUSY;
	}
	j = &a->q[(a->head + a->n) % WEBAUTH_MAX_PENDING];
	strcpy(j->user, user);
	strcpy(j->pass, pass);
	j->cookie = cookie;
	j->result = result;
	*result = WEBAUTH_PENDING;
	a->n++;
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->lock);
	return WEBAUTH_PENDING;
}

void webauth_free(struct webauth *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->worker, NULL);
	explicit_bzero(a->cache, sizeof(a->cache));
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->cond);
	free(a);
}
