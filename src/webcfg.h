/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --web.config.file: the Prometheus exporter-toolkit web configuration
 * (docs/web-configuration.md of prometheus/exporter-toolkit), read with
 * libyaml, so that a node_exporter user's file works unchanged:
 *
 *   tls_server_config:   cert/cert_file, key/key_file, client_ca/client_ca_file,
 *                        client_auth_type, client_allowed_sans, min_version,
 *                        max_version, cipher_suites, prefer_server_cipher_suites,
 *                        curve_preferences
 *   http_server_config:  http2, headers
 *   basic_auth_users:    name: bcrypt hash ($2a$, $2b$, $2y$)
 *   rate_limit:          interval, burst
 *
 * Strict as the toolkit's UnmarshalStrict: an unknown or repeated key, a
 * value of the wrong type or out of its set is an error naming the file,
 * line and key. What tphtrace cannot honour is an error naming the key and
 * why (docs/exporter.md, "Web configuration"). Relative file names are
 * relative to the configuration file's directory, as in the toolkit.
 */
#ifndef TPHTRACE_WEBCFG_H
#define TPHTRACE_WEBCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* crypto/tls ClientAuthType, by the names the toolkit accepts */
enum webcfg_client_auth {
	WEBCFG_NO_CLIENT_CERT,
	WEBCFG_REQUEST_CLIENT_CERT,
	WEBCFG_REQUIRE_ANY_CLIENT_CERT,
	WEBCFG_VERIFY_CLIENT_CERT_IF_GIVEN,
	WEBCFG_REQUIRE_AND_VERIFY_CLIENT_CERT,
};

/* A TLS 1.2 cipher suite by its Go name and the GnuTLS algorithms it is */
struct webcfg_suite {
	const char *go_name;
	const char *kx, *cipher, *mac;	/* GnuTLS priority names; kx NULL: TLS 1.3 */
};

#define WEBCFG_MAX_LIST		32	/* suites, curves, SANs, headers */
#define WEBCFG_MAX_USERS	256

struct webcfg_user {
	char *name;
	char *hash;			/* bcrypt, checked with crypt(3) */
};

struct webcfg_header {
	const char *name;		/* one of the five the toolkit allows */
	char *value;
};

struct webcfg {
	char *path;			/* for messages */
	/* tls_server_config */
	bool tls;			/* any TLS key given: serve HTTPS */
	char *cert_pem, *key_pem;	/* contents, from the file or inline */
	char *client_ca_pem;		/* NULL: none */
	bool client_ca_system;		/* verify against the system's CAs */
	enum webcfg_client_auth client_auth;
	unsigned int min_version, max_version;	/* 0x0301 (TLS 1.0) .. 0x0304 */
	const struct webcfg_suite *suites[WEBCFG_MAX_LIST];
	unsigned int nsuites;		/* TLS 1.2 ones; 0: GnuTLS defaults */
	const char *curves[WEBCFG_MAX_LIST];	/* GnuTLS group names */
	unsigned int ncurves;
	bool prefer_server_cipher_suites;
	char *sans[WEBCFG_MAX_LIST];
	unsigned int nsans;		/* 0: no SAN check */
	char priorities[1024];		/* GnuTLS priority string */
	/* http_server_config */
	bool http2;
	bool http2_given;
	struct webcfg_header headers[WEBCFG_MAX_LIST];
	unsigned int nheaders;
	/* basic_auth_users */
	struct webcfg_user *users;
	unsigned int nusers;
	/* rate_limit: a token bucket of @burst, one token per @interval_ns */
	uint64_t rate_interval_ns;	/* 0: no rate limit */
	int64_t rate_burst;
};

/* Read nothing from the file system (fuzzing the parser): *_file keys fail. */
#define WEBCFG_NO_FILES		0x1

/* Most bytes of a configuration, certificate or key file */
#define WEBCFG_MAX_FILE		(1 << 20)

/*
 * Parse and validate @path. Returns 0, or -errno with "FILE:LINE: key: why"
 * (or "FILE: why") in @err. Certificates and keys are loaded and checked
 * (the key must match the certificate) here, once.
 */
int webcfg_load(const char *path, struct webcfg *c, char *err, size_t errlen);
/* The same on @len bytes at @text; @name for messages, @dir for relative paths */
int webcfg_parse(const char *text, size_t len, const char *name, const char *dir,
		 unsigned int flags, struct webcfg *c, char *err, size_t errlen);
void webcfg_free(struct webcfg *c);

/* The cipher suite Go calls @name, NULL if unknown */
const struct webcfg_suite *webcfg_suite_by_name(const char *name);
/* Go duration ("1m30s", "500ms", "0") in nanoseconds; -EINVAL, -ERANGE */
int webcfg_parse_duration(const char *s, uint64_t *ns);

#endif /* TPHTRACE_WEBCFG_H */
