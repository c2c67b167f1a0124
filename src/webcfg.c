// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* --web.config.file: the exporter-toolkit web configuration (see webcfg.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>
#include "webcfg.h"
#include "webtls.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Go's names ------------------------------------------------------------ */

/*
 * crypto/tls CipherSuites(), the list the toolkit accepts (its
 * Cipher.UnmarshalYAML), as GnuTLS priority names. The TLS 1.3 suites are
 * accepted and, as in Go, not configurable: they stay enabled.
 */
static const struct webcfg_suite suites[] = {
	{ "TLS_RSA_WITH_AES_128_CBC_SHA", "RSA", "AES-128-CBC", "SHA1" },
	{ "TLS_RSA_WITH_AES_256_CBC_SHA", "RSA", "AES-256-CBC", "SHA1" },
	{ "TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", "AES-128-GCM", "AEAD" },
	{ "TLS_RSA_WITH_AES_256_GCM_SHA384", "RSA", "AES-256-GCM", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA", "AES-128-CBC", "SHA1" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA", "AES-256-CBC", "SHA1" },
	{ "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA", "AES-128-CBC", "SHA1" },
	{ "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA", "AES-256-CBC", "SHA1" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA", "AES-128-GCM", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA", "AES-256-GCM", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA", "AES-128-GCM", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA", "AES-256-GCM", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD" },
	{ "TLS_AES_128_GCM_SHA256", NULL, "AES-128-GCM", "AEAD" },
	{ "TLS_AES_256_GCM_SHA384", NULL, "AES-256-GCM", "AEAD" },
	{ "TLS_CHACHA20_POLY1305_SHA256", NULL, "CHACHA20-POLY1305", "AEAD" },
};

const struct webcfg_suite *webcfg_suite_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(suites); i++)
		if (!strcmp(suites[i].go_name, name))
			return &suites[i];
	return NULL;
}

/* the toolkit's curves map, as GnuTLS groups */
static const struct { const char *go, *gnutls; } curves[] = {
	{ "CurveP256", "SECP256R1" },
	{ "CurveP384", "SECP384R1" },
	{ "CurveP521", "SECP521R1" },
	{ "X25519", "X25519" },
};

static const struct { const char *go; unsigned int v; } versions[] = {
	{ "TLS10", 0x0301 }, { "TLS11", 0x0302 }, { "TLS12", 0x0303 }, { "TLS13", 0x0304 },
};

static const struct { const char *go; enum webcfg_client_auth v; } client_auths[] = {
	{ "", WEBCFG_NO_CLIENT_CERT },
	{ "NoClientCert", WEBCFG_NO_CLIENT_CERT },
	{ "RequestClientCert", WEBCFG_REQUEST_CLIENT_CERT },
	{ "RequireAnyClientCert", WEBCFG_REQUIRE_ANY_CLIENT_CERT },
	{ "RequireClientCert", WEBCFG_REQUIRE_ANY_CLIENT_CERT },	/* toolkit: kept for compatibility */
	{ "VerifyClientCertIfGiven", WEBCFG_VERIFY_CLIENT_CERT_IF_GIVEN },
	{ "RequireAndVerifyClientCert", WEBCFG_REQUIRE_AND_VERIFY_CLIENT_CERT },
};

/* extraHTTPHeaders of the toolkit: the only headers it lets one set */
static const struct { const char *name; const char *allowed[3]; } header_rules[] = {
	{ "Strict-Transport-Security", { NULL } },
	{ "X-Content-Type-Options", { "nosniff", NULL } },
	{ "X-Frame-Options", { "deny", "sameorigin", NULL } },
	{ "X-XSS-Protection", { NULL } },
	{ "Content-Security-Policy", { NULL } },
};

/* ---- Go durations ------------------------------------------------------------ */

int webcfg_parse_duration(const char *s, uint64_t *ns)
{
	static const struct { const char *unit; uint64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 },
		{ "ms", 1000000 }, { "s", 1000000000ull }, { "m", 60000000000ull },
		{ "h", 3600000000000ull },
	};
	long double total = 0;
	size_t i, ul;

	if (*s == '+')
		s++;
	if (*s == '-')
		return -ERANGE;	/* no negative durations here */
	if (!strcmp(s, "0")) {
		*ns = 0;
		return 0;
	}
	if (!*s)
		return -EINVAL;
	while (*s) {
		long double v = 0, scale = 1;
		bool digits = false;
		size_t best = ARRAY_SIZE(units);

		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (*s++ - '0');
			digits = true;
		}
		if (*s == '.') {
			for (s++; *s >= '0' && *s <= '9'; s++) {
				scale /= 10;
				v += (*s - '0') * scale;
				digits = true;
			}
		}
		if (!digits)
			return -EINVAL;
		/* longest unit that matches ("ms" before "m") */
		for (i = 0, ul = 0; i < ARRAY_SIZE(units); i++) {
			size_t l = strlen(units[i].unit);

			if (!strncmp(s, units[i].unit, l) && l > ul) {
				best = i;
				ul = l;
			}
		}
		if (best == ARRAY_SIZE(units))
			return -EINVAL;
		s += ul;
		total += v * units[best].ns;
		if (total > (long double)INT64_MAX)
			return -ERANGE;
	}
	*ns = (uint64_t)total;
	return 0;
}

/* ---- YAML walking ------------------------------------------------------------ */

/* the tls_server_config keys whose combination is checked once all are read */
struct tls_nodes {
	const yaml_node_t *cert, *cert_file, *key, *key_file, *ca, *ca_file;
	const yaml_node_t *auth, *min, *max, *first;
};

struct wparse {
	yaml_document_t *doc;
	struct tls_nodes tls;
	const char *name;
	const char *dir;
	unsigned int flags;
	struct webcfg *c;
	char *err;
	size_t errlen;
};

static int bad(struct wparse *w, const yaml_node_t *n, const char *key, int code,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int bad(struct wparse *w, const yaml_node_t *n, const char *key, int code,
	       const char *fmt, ...)
{
	char why[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (n)
		snprintf(w->err, w->errlen, "%s:%lu: %s%s%s", w->name,
			 (unsigned long)n->start_mark.line + 1, key ? key : "",
			 key ? ": " : "", why);
	else
		snprintf(w->err, w->errlen, "%s: %s%s%s", w->name, key ? key : "",
			 key ? ": " : "", why);
	return code;
}

static yaml_node_t *node(struct wparse *w, int id)
{
	return yaml_document_get_node(w->doc, id);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* a plain null: "", "~", "null" (YAML 1.1 as yaml.v2 reads it) */
static bool is_null(const yaml_node_t *n)
{
	const char *s = scalar(n);

	if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

/* a scalar as a string without NUL bytes; NULL (after bad()) otherwise */
static const char *want_string(struct wparse *w, const yaml_node_t *n, const char *key)
{
	const char *s = scalar(n);

	if (!s) {
		bad(w, n, key, -EINVAL, "want a string, got a %s",
		    n && n->type == YAML_MAPPING_NODE ? "mapping" : "list");
		return NULL;
	}
	if (strlen(s) != n->data.scalar.length) {
		bad(w, n, key, -EINVAL, "NUL character in a string");
		return NULL;
	}
	return s;
}

static int want_bool(struct wparse *w, const yaml_node_t *n, const char *key, bool *out)
{
	static const char *const yes[] = { "y", "Y", "yes", "Yes", "YES", "true", "True",
					   "TRUE", "on", "On", "ON" };
	static const char *const no[] = { "n", "N", "no", "No", "NO", "false", "False",
					  "FALSE", "off", "Off", "OFF" };
	const char *s = scalar(n);
	size_t i;

	if (s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		for (i = 0; i < ARRAY_SIZE(yes); i++) {
			if (!strcmp(s, yes[i])) {
				*out = true;
				return 0;
			}
			if (!strcmp(s, no[i])) {
				*out = false;
				return 0;
			}
		}
	}
	return bad(w, n, key, -EINVAL, "want true or false, got '%.40s'", s ? s : "?");
}

static int want_int(struct wparse *w, const yaml_node_t *n, const char *key, int64_t *out)
{
	const char *s = scalar(n);
	char *end;
	long long v;

	if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || !*s)
		return bad(w, n, key, -EINVAL, "want an integer");
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end || errno)
		return bad(w, n, key, -EINVAL, "want an integer, got '%.40s'", s);
	*out = v;
	return 0;
}

typedef int (*list_fn)(struct wparse *w, const yaml_node_t *item, const char *key);

/* each item of a list (or nothing for null) */
static int each_item(struct wparse *w, const yaml_node_t *n, const char *key, list_fn fn)
{
	yaml_node_item_t *it;
	int ret;

	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return bad(w, n, key, -EINVAL, "want a list");
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		ret = fn(w, node(w, *it), key);
		if (ret)
			return ret;
	}
	return 0;
}

typedef int (*pair_fn)(struct wparse *w, const char *k, const yaml_node_t *kn,
		       const yaml_node_t *v, const char *path);

/*
 * Each key of a mapping: keys must be strings, never repeated; @keys (NULL
 * for free-form maps such as basic_auth_users) lists the ones allowed.
 */
static int each_pair(struct wparse *w, const yaml_node_t *n, const char *path,
		     const char *const *keys, pair_fn fn)
{
	yaml_node_pair_t *p, *q;
	char sub[96];
	int ret;

	if (is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return bad(w, n, path, -EINVAL, "want a mapping");
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const yaml_node_t *kn = node(w, p->key), *vn = node(w, p->value);
		const char *k = scalar(kn);
		size_t i;

		if (!k || strlen(k) != kn->data.scalar.length)
			return bad(w, kn, path, -EINVAL, "keys must be strings");
		for (q = n->data.mapping.pairs.start; q < p; q++) {
			const char *prev = scalar(node(w, q->key));

			if (prev && !strcmp(prev, k))
				return bad(w, kn, path, -EINVAL, "key '%.60s' given twice", k);
		}
		if (keys) {
			for (i = 0; keys[i] && strcmp(keys[i], k); i++)
				;
			if (!keys[i])
				return bad(w, kn, path, -EINVAL, "unknown key '%.60s'", k);
		}
		snprintf(sub, sizeof(sub), "%s%s%.60s", path ? path : "", path ? "." : "", k);
		ret = fn(w, k, kn, vn, sub);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- files ------------------------------------------------------------------- */

/* @name relative to the configuration's directory */
static void join(const char *dir, const char *name, char *out, size_t len)
{
	if (name[0] == '/' || !dir || !*dir)
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, "%s/%s", dir, name);
}

/* the whole of a small text file, NUL-terminated; -errno with @why */
static int slurp(const char *path, char **out, size_t *outlen, char *why, size_t whylen)
{
	struct stat st;
	ssize_t n;
	size_t len = 0;
	char *buf;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(why, whylen, "%s: not a regular file", path);
		return -EINVAL;
	}
	buf = malloc(WEBCFG_MAX_FILE + 1);
	if (!buf) {
		close(fd);
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	while ((n = read(fd, buf + len, WEBCFG_MAX_FILE + 1 - len)) > 0 &&
	       len + (size_t)n <= WEBCFG_MAX_FILE)
		len += (size_t)n;
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (!ret && n > 0)
		ret = -EFBIG;
	if (ret) {
		snprintf(why, whylen, "%s: %s", path, ret == -EFBIG ?
			 "larger than 1 MiB" : strerror(-ret));
		free(buf);
		return ret;
	}
	buf[len] = '\0';
	*out = buf;
	if (outlen)
		*outlen = len;
	return 0;
}

/* PEM from NAME_file or inline NAME; both given is an error */
static int pem_source(struct wparse *w, const yaml_node_t *fnode, const char *fname,
		      const yaml_node_t *inode, const char *iname, char **out)
{
	char path[4096], why[300];
	const char *s;
	int ret;

	if (fnode && inode)
		return bad(w, inode, "tls_server_config", -EINVAL,
			   "both %s and %s are given: the toolkit would ignore %s; give one",
			   fname, iname, iname);
	if (inode) {
		s = want_string(w, inode, iname);
		if (!s)
			return -EINVAL;
		*out = strdup(s);
		return *out ? 0 : -ENOMEM;
	}
	if (!fnode)
		return 0;
	s = want_string(w, fnode, fname);
	if (!s)
		return -EINVAL;
	if (!*s)
		return bad(w, fnode, fname, -EINVAL, "empty file name");
	if (w->flags & WEBCFG_NO_FILES)
		return bad(w, fnode, fname, -EPERM, "files are not read here");
	join(w->dir, s, path, sizeof(path));
	ret = slurp(path, out, NULL, why, sizeof(why));
	if (ret)
		return bad(w, fnode, fname, ret, "%s", why);
	return 0;
}

/* ---- tls_server_config --------------------------------------------------------- */

static int suite_item(struct wparse *w, const yaml_node_t *n, const char *key)
{
	const struct webcfg_suite *s;
	const char *name = want_string(w, n, key);

	if (!name)
		return -EINVAL;
	s = webcfg_suite_by_name(name);
	if (!s)
		return bad(w, n, key, -EINVAL, "unknown cipher '%.60s' (Go's "
			   "crypto/tls CipherSuites() names)", name);
	if (!s->kx)
		return 0;	/* TLS 1.3: not configurable, as in Go */
	if (w->c->nsuites == WEBCFG_MAX_LIST)
		return bad(w, n, key, -E2BIG, "more than %d cipher suites", WEBCFG_MAX_LIST);
	w->c->suites[w->c->nsuites++] = s;
	return 0;
}

static int curve_item(struct wparse *w, const yaml_node_t *n, const char *key)
{
	const char *name = want_string(w, n, key);
	size_t i;

	if (!name)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(curves) && strcmp(curves[i].go, name); i++)
		;
	if (i == ARRAY_SIZE(curves))
		return bad(w, n, key, -EINVAL, "unknown curve '%.60s' (want CurveP256, "
			   "CurveP384, CurveP521 or X25519)", name);
	if (w->c->ncurves == WEBCFG_MAX_LIST)
		return bad(w, n, key, -E2BIG, "too many curves");
	w->c->curves[w->c->ncurves++] = curves[i].gnutls;
	return 0;
}

static int san_item(struct wparse *w, const yaml_node_t *n, const char *key)
{
	const char *s = want_string(w, n, key);

	if (!s)
		return -EINVAL;
	if (w->c->nsans == WEBCFG_MAX_LIST)
		return bad(w, n, key, -E2BIG, "more than %d SANs", WEBCFG_MAX_LIST);
	w->c->sans[w->c->nsans] = strdup(s);
	if (!w->c->sans[w->c->nsans])
		return -ENOMEM;
	w->c->nsans++;
	return 0;
}

static int tls_version(struct wparse *w, const yaml_node_t *n, const char *key,
		       unsigned int *out)
{
	const char *s = want_string(w, n, key);
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		if (!strcmp(versions[i].go, s)) {
			*out = versions[i].v;
			return 0;
		}
	}
	return bad(w, n, key, -EINVAL, "unknown TLS version '%.40s' (want TLS10, "
		   "TLS11, TLS12 or TLS13)", s);
}

static int tls_pair(struct wparse *w, const char *k, const yaml_node_t *kn,
		    const yaml_node_t *v, const char *path)
{
	struct tls_nodes *t = &w->tls;
	struct webcfg *c = w->c;
	const char *s;
	size_t i;

	if (!t->first)
		t->first = kn;
	if (is_null(v))
		return 0;	/* a zero value, as yaml.v2 leaves it */
	if (!strcmp(k, "cert"))
		t->cert = v;
	else if (!strcmp(k, "cert_file"))
		t->cert_file = v;
	else if (!strcmp(k, "key"))
		t->key = v;
	else if (!strcmp(k, "key_file"))
		t->key_file = v;
	else if (!strcmp(k, "client_ca"))
		t->ca = v;
	else if (!strcmp(k, "client_ca_file"))
		t->ca_file = v;
	else if (!strcmp(k, "client_auth_type")) {
		s = want_string(w, v, path);
		if (!s)
			return -EINVAL;
		for (i = 0; i < ARRAY_SIZE(client_auths); i++)
			if (!strcmp(client_auths[i].go, s))
				break;
		if (i == ARRAY_SIZE(client_auths))
			return bad(w, v, path, -EINVAL, "invalid ClientAuth '%.60s' (want "
				   "NoClientCert, RequestClientCert, RequireAnyClientCert, "
				   "VerifyClientCertIfGiven or RequireAndVerifyClientCert)", s);
		c->client_auth = client_auths[i].v;
		t->auth = *s ? v : t->auth;
	} else if (!strcmp(k, "min_version")) {
		t->min = v;
		return tls_version(w, v, path, &c->min_version);
	} else if (!strcmp(k, "max_version")) {
		t->max = v;
		return tls_version(w, v, path, &c->max_version);
	} else if (!strcmp(k, "cipher_suites"))
		return each_item(w, v, path, suite_item);
	else if (!strcmp(k, "curve_preferences"))
		return each_item(w, v, path, curve_item);
	else if (!strcmp(k, "client_allowed_sans"))
		return each_item(w, v, path, san_item);
	else if (!strcmp(k, "prefer_server_cipher_suites"))
		return want_bool(w, v, path, &c->prefer_server_cipher_suites);
	return 0;
}

static int parse_tls(struct wparse *w, const yaml_node_t *n)
{
	static const char *const keys[] = {
		"cert", "key", "client_ca", "cert_file", "key_file", "client_auth_type",
		"client_ca_file", "client_allowed_sans", "min_version", "max_version",
		"cipher_suites", "prefer_server_cipher_suites", "curve_preferences", NULL,
	};
	struct tls_nodes *t = &w->tls;
	struct webcfg *c = w->c;
	char why[300];
	int ret;

	memset(t, 0, sizeof(*t));
	ret = each_pair(w, n, "tls_server_config", keys, tls_pair);
	if (ret)
		return ret;
	/* IsEnabled() of the toolkit: any of these makes it HTTPS */
	c->tls = t->cert || t->cert_file || t->key || t->key_file || t->ca || t->ca_file ||
		 t->auth;
	if (!c->tls) {
		if (c->nsuites || c->ncurves || c->nsans || t->min || t->max)
			return bad(w, t->first, "tls_server_config", -EINVAL,
				   "TLS settings without a certificate: give cert_file and "
				   "key_file (or nothing, for plain HTTP)");
		return 0;
	}
	if (!t->cert && !t->cert_file)
		return bad(w, n, "tls_server_config", -EINVAL, "missing one of cert or cert_file");
	if (!t->key && !t->key_file)
		return bad(w, n, "tls_server_config", -EINVAL, "missing one of key or key_file");
	if ((ret = pem_source(w, t->cert_file, "cert_file", t->cert, "cert", &c->cert_pem)) ||
	    (ret = pem_source(w, t->key_file, "key_file", t->key, "key", &c->key_pem)) ||
	    (ret = pem_source(w, t->ca_file, "client_ca_file", t->ca, "client_ca",
			      &c->client_ca_pem)))
		return ret;
	if (c->client_ca_pem && c->client_auth == WEBCFG_NO_CLIENT_CERT)
		return bad(w, t->ca_file ? t->ca_file : t->ca, "tls_server_config", -EINVAL,
			   "client CA's have been configured without a Client Auth Policy "
			   "(client_auth_type)");
	/* Go verifies against the system's roots when no client CA is given */
	c->client_ca_system = !c->client_ca_pem &&
		(c->client_auth == WEBCFG_VERIFY_CLIENT_CERT_IF_GIVEN ||
		 c->client_auth == WEBCFG_REQUIRE_AND_VERIFY_CLIENT_CERT);
	if (c->nsans && c->client_auth != WEBCFG_VERIFY_CLIENT_CERT_IF_GIVEN &&
	    c->client_auth != WEBCFG_REQUIRE_AND_VERIFY_CLIENT_CERT)
		return bad(w, t->first, "tls_server_config.client_allowed_sans", -EINVAL,
			   "needs a client_auth_type that verifies client certificates "
			   "(VerifyClientCertIfGiven or RequireAndVerifyClientCert)");
	if (c->min_version > c->max_version)
		return bad(w, t->min ? t->min : t->max, "tls_server_config.min_version",
			   -EINVAL, "above max_version");
	if ((w->flags & WEBCFG_NO_FILES) && c->client_ca_system)
		return 0;	/* would read the system's CA bundle */
	ret = webtls_check(c, why, sizeof(why));
	if (ret)
		return bad(w, n, "tls_server_config", ret, "%s", why);
	return 0;
}

/* ---- http_server_config, basic_auth_users, rate_limit -------------------------- */

static int header_pair(struct wparse *w, const char *k, const yaml_node_t *kn,
		       const yaml_node_t *v, const char *path)
{
	struct webcfg *c = w->c;
	const char *s;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(header_rules) && strcmp(header_rules[i].name, k); i++)
		;
	if (i == ARRAY_SIZE(header_rules))
		return bad(w, kn, "http_server_config.headers", -EINVAL,
			   "HTTP header \"%.60s\" can not be configured (only "
			   "Strict-Transport-Security, X-Content-Type-Options, "
			   "X-Frame-Options, X-XSS-Protection, Content-Security-Policy)", k);
	if (is_null(v))
		return 0;
	s = want_string(w, v, path);
	if (!s)
		return -EINVAL;
	for (j = 0; s[j]; j++)
		if ((unsigned char)s[j] < 0x20 || s[j] == 0x7f)
			return bad(w, v, path, -EINVAL, "control character in a header value");
	if (!*s)
		return 0;	/* "Unset if blank" */
	if (header_rules[i].allowed[0]) {
		for (j = 0; header_rules[i].allowed[j] && strcmp(header_rules[i].allowed[j], s); j++)
			;
		if (!header_rules[i].allowed[j])
			return bad(w, v, path, -EINVAL, "invalid value '%.60s' (want %s%s%s)", s,
				   header_rules[i].allowed[0],
				   header_rules[i].allowed[1] ? " or " : "",
				   header_rules[i].allowed[1] ? header_rules[i].allowed[1] : "");
	}
	c->headers[c->nheaders].name = header_rules[i].name;
	c->headers[c->nheaders].value = strdup(s);
	if (!c->headers[c->nheaders].value)
		return -ENOMEM;
	c->nheaders++;
	return 0;
}

static int http_pair(struct wparse *w, const char *k, const yaml_node_t *kn,
		     const yaml_node_t *v, const char *path)
{
	if (!strcmp(k, "http2")) {
		if (is_null(v))
			return 0;
		w->c->http2_given = true;
		return want_bool(w, v, path, &w->c->http2);
	}
	return each_pair(w, v, path, NULL, header_pair);
}

/* bcrypt as Go's bcrypt.Cost() accepts it: $2a$, $2b$ or $2y$, cost 04..31 */
static bool bcrypt_hash_ok(const char *h)
{
	size_t i;
	int cost;

	if (strlen(h) != 60 || h[0] != '$' || h[1] != '2' || !strchr("aby", h[2]) ||
	    h[3] != '$' || h[4] < '0' || h[4] > '3' || h[5] < '0' || h[5] > '9' || h[6] != '$')
		return false;
	cost = (h[4] - '0') * 10 + (h[5] - '0');
	if (cost < 4 || cost > 31)
		return false;
	for (i = 7; i < 60; i++)
		if (!strchr("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", h[i]))
			return false;
	return true;
}

static int user_pair(struct wparse *w, const char *k, const yaml_node_t *kn,
		     const yaml_node_t *v, const char *path)
{
	struct webcfg *c = w->c;
	const char *h;

	if (strchr(k, ':'))
		return bad(w, kn, "basic_auth_users", -EINVAL,
			   "user name '%.60s' has a ':' (basic auth cannot carry it)", k);
	if (c->nusers == WEBCFG_MAX_USERS)
		return bad(w, kn, "basic_auth_users", -E2BIG, "more than %d users",
			   WEBCFG_MAX_USERS);
	h = is_null(v) ? "" : want_string(w, v, path);
	if (!h)
		return -EINVAL;
	if (!bcrypt_hash_ok(h))
		return bad(w, v, path, -EINVAL, "not a bcrypt hash ($2a$, $2b$ or $2y$, "
			   "cost 04..31, 60 characters; htpasswd -nBC 10 \"\" makes one)");
	c->users[c->nusers].name = strdup(k);
	c->users[c->nusers].hash = strdup(h);
	if (!c->users[c->nusers].name || !c->users[c->nusers].hash)
		return -ENOMEM;
	c->nusers++;
	return 0;
}

static int rate_pair(struct wparse *w, const char *k, const yaml_node_t *kn,
		     const yaml_node_t *v, const char *path)
{
	const char *s;
	int64_t i;
	int ret;

	if (is_null(v))
		return 0;
	if (!strcmp(k, "burst")) {
		ret = want_int(w, v, path, &w->c->rate_burst);
		if (!ret && w->c->rate_burst < 0)
			return bad(w, v, path, -EINVAL, "negative burst");
		return ret;
	}
	/* interval: a Go duration, or an integer of nanoseconds (yaml.v2) */
	s = scalar(v);
	if (s && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !want_int(w, v, path, &i)) {
		if (i < 0)
			return bad(w, v, path, -EINVAL, "negative interval");
		w->c->rate_interval_ns = (uint64_t)i;
		return 0;
	}
	s = want_string(w, v, path);
	if (!s)
		return -EINVAL;
	if (webcfg_parse_duration(s, &w->c->rate_interval_ns))
		return bad(w, v, path, -EINVAL, "not a duration ('%.40s'; want e.g. 1s, 500ms)", s);
	return 0;
}

static int root_pair(struct wparse *w, const char *k, const yaml_node_t *kn,
		     const yaml_node_t *v, const char *path)
{
	static const char *const http_keys[] = { "http2", "headers", NULL };
	static const char *const rate_keys[] = { "interval", "burst", NULL };

	if (!strcmp(k, "tls_server_config"))
		return parse_tls(w, v);
	if (!strcmp(k, "http_server_config"))
		return each_pair(w, v, path, http_keys, http_pair);
	if (!strcmp(k, "basic_auth_users")) {
		w->c->users = calloc(WEBCFG_MAX_USERS, sizeof(*w->c->users));
		if (!w->c->users)
			return -ENOMEM;
		return each_pair(w, v, path, NULL, user_pair);
	}
	return each_pair(w, v, path, rate_keys, rate_pair);
}

int webcfg_parse(const char *text, size_t len, const char *name, const char *dir,
		 unsigned int flags, struct webcfg *c, char *err, size_t errlen)
{
	static const char *const keys[] = {
		"tls_server_config", "http_server_config", "basic_auth_users", "rate_limit",
		NULL,
	};
	struct wparse w = { .name = name, .dir = dir, .flags = flags, .c = c, .err = err,
			    .errlen = errlen };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	int ret;

	memset(c, 0, sizeof(*c));
	c->min_version = 0x0303;	/* the toolkit's defaults */
	c->max_version = 0x0304;
	c->prefer_server_cipher_suites = true;
	c->http2 = true;
	c->path = strdup(name);
	if (!c->path)
		return -ENOMEM;
	if (!yaml_parser_initialize(&parser)) {
		webcfg_free(c);
		return bad(&w, NULL, NULL, -ENOMEM, "out of memory");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%lu: YAML: %s%s%s", name,
			 (unsigned long)parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "syntax error",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		webcfg_free(c);
		return -EINVAL;
	}
	w.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	ret = 0;
	if (root && !is_null(root))
		ret = each_pair(&w, root, NULL, keys, root_pair);
	if (!ret)
		ret = webtls_priorities(c, err, errlen);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (ret && !err[0])
		snprintf(err, errlen, "%s: %s", name, strerror(-ret));
	if (ret)
		webcfg_free(c);
	return ret;
}

int webcfg_load(const char *path, struct webcfg *c, char *err, size_t errlen)
{
	char why[300], dir[4096], *text, *slash;
	size_t len;
	int ret;

	err[0] = '\0';
	memset(c, 0, sizeof(*c));
	ret = slurp(path, &text, &len, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "%s", why);
		return ret;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	ret = webcfg_parse(text, len, path, dir, 0, c, err, errlen);
	free(text);
	return ret;
}

void webcfg_free(struct webcfg *c)
{
	unsigned int i;

	free(c->path);
	free(c->cert_pem);
	if (c->key_pem) {
		explicit_bzero(c->key_pem, strlen(c->key_pem));
		free(c->key_pem);
	}
	free(c->client_ca_pem);
	for (i = 0; i < c->nsans; i++)
		free(c->sans[i]);
	for (i = 0; i < c->nheaders; i++)
		free(c->headers[i].value);
	for (i = 0; c->users && i < c->nusers; i++) {
		free(c->users[i].name);
		free(c->users[i].hash);
	}
	free(c->users);
	memset(c, 0, sizeof(*c));
}
