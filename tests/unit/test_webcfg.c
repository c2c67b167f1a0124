// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The web configuration's value parsers and schema, on strings: Go
 * durations as time.ParseDuration reads them, bcrypt hashes as
 * bcrypt.Cost() accepts them, the toolkit's defaults, the GnuTLS priority
 * string each TLS key turns into. Expected values written by hand from the
 * Go and GnuTLS documentation, not from the code.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "webcfg.h"
#include "webtls.h"

static void test_durations(void **state)
{
	static const struct { const char *s; uint64_t ns; } good[] = {
		{ "0", 0 }, { "1s", 1000000000ull }, { "500ms", 500000000ull },
		{ "1m30s", 90000000000ull }, { "1.5h", 5400000000000ull },
		{ "2h45m", 9900000000000ull }, { "300us", 300000ull },
		{ "300\xc2\xb5s", 300000ull }, { "7ns", 7 }, { "+3s", 3000000000ull },
		{ ".5s", 500000000ull },
	};
	static const char *const bad[] = { "", "s", "1", "1x", "1.s.", "-1s", "1s2", "10 s" };
	uint64_t ns;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ns = 12345;
		if (webcfg_parse_duration(good[i].s, &ns) || ns != good[i].ns)
			fail_msg("'%s': got %llu, want %llu", good[i].s, (unsigned long long)ns,
				 (unsigned long long)good[i].ns);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!webcfg_parse_duration(bad[i], &ns))
			fail_msg("'%s' accepted (%llu ns)", bad[i], (unsigned long long)ns);
	assert_int_equal(webcfg_parse_duration("9999999h", &ns), -ERANGE);
}

static int parse(const char *yaml, struct webcfg *c, char *err, size_t len)
{
	return webcfg_parse(yaml, strlen(yaml), "t.yml", "/nonexistent", WEBCFG_NO_FILES, c,
			    err, len);
}

static void test_defaults_and_users(void **state)
{
	struct webcfg c;
	char err[512];

	(void)state;
	assert_int_equal(parse("", &c, err, sizeof(err)), 0);
	/* the toolkit's defaults: TLS 1.2..1.3, server order, http2 true, no TLS */
	assert_false(c.tls);
	assert_int_equal(c.min_version, 0x0303);
	assert_int_equal(c.max_version, 0x0304);
	assert_true(c.prefer_server_cipher_suites);
	assert_true(c.http2);
	assert_false(c.http2_given);
	webcfg_free(&c);

	assert_int_equal(parse("basic_auth_users:\n"
			       "  a: $2a$04$abcdefghijklmnopqrstuuhKF09ZYWwH2zP/0fwE1X8e/Q1YNx/hO\n"
			       "  b: $2b$31$abcdefghijklmnopqrstuuhKF09ZYWwH2zP/0fwE1X8e/Q1YNx/hO\n"
			       "rate_limit:\n  interval: 250ms\n  burst: 3\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.nusers, 2);
	assert_string_equal(c.users[1].name, "b");
	assert_int_equal(c.rate_interval_ns, 250000000);
	assert_int_equal(c.rate_burst, 3);
	webcfg_free(&c);

	/* bcrypt.Cost(): cost 04..31, 60 characters, $2a/$2b/$2y */
	assert_int_equal(parse("basic_auth_users:\n  a: $2b$03$abcdefghijklmnopqrstuuhKF09ZYWwH2zP/0fwE1X8e/Q1YNx/hO\n",
			       &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t.yml:2: basic_auth_users.a: not a bcrypt hash"));
	assert_int_equal(parse("basic_auth_users:\n  a: $2b$10$abcdefghijklmnopqrstuuhKF09ZYWwH2zP/0fwE1X8e/Q1YNx/h\n",
			       &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse("basic_auth_users:\n  a: $1$10$abcdefghijklmnopqrstuuhKF09ZYWwH2zP/0fwE1X8e/Q1YNx/hO\n",
			       &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse("basic_auth_users:\n  'a:b': $2b$10$abcdefghijklmnopqrstuuhKF09ZYWwH2zP/0fwE1X8e/Q1YNx/hO\n",
			       &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "has a ':'"));
}

static void test_priorities(void **state)
{
	struct webcfg c;
	char err[512];

	(void)state;
	/* inline PEM that does not load: refused, naming the keys */
	assert_int_equal(parse("tls_server_config:\n  cert: x\n  key: y\n", &c, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "t.yml:2: tls_server_config: cert/cert_file and key/key_file"));
	/* names of Go's crypto/tls mapped to GnuTLS's */
	assert_non_null(webcfg_suite_by_name("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
	assert_string_equal(webcfg_suite_by_name("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")->kx,
			    "ECDHE-RSA");
	assert_string_equal(webcfg_suite_by_name("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256")->cipher,
			    "CHACHA20-POLY1305");
	assert_null(webcfg_suite_by_name("TLS_AES_128_GCM_SHA256")->kx);	/* TLS 1.3 */
	assert_null(webcfg_suite_by_name("TLS_RSA_WITH_RC4_128_SHA"));
	/* TLS settings without a certificate cannot be honoured */
	assert_int_equal(parse("tls_server_config:\n  min_version: TLS13\n", &c, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "TLS settings without a certificate"));
	assert_int_equal(parse("tls_server_config:\n  cert: x\n  key: y\n  min_version: TLS13\n"
			       "  max_version: TLS12\n", &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "min_version: above max_version"));

	/* the priority string GnuTLS gets: versions, the suites' parts, groups, order */
	memset(&c, 0, sizeof(c));
	c.tls = true;
	c.min_version = 0x0303;
	c.max_version = 0x0303;
	c.suites[c.nsuites++] = webcfg_suite_by_name("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	c.suites[c.nsuites++] = webcfg_suite_by_name("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
	c.curves[c.ncurves++] = "X25519";
	c.prefer_server_cipher_suites = true;
	assert_int_equal(webtls_priorities(&c, err, sizeof(err)), 0);
	assert_string_equal(c.priorities, "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:-CIPHER-ALL:"
			    "-MAC-ALL:+ECDHE-RSA:+AES-128-GCM:+AES-256-GCM:+AEAD:-GROUP-ALL:"
			    "+GROUP-X25519:%SERVER_PRECEDENCE");
	/* TLS 1.3 in range: its three suites stay (Go does not let them be chosen) */
	c.max_version = 0x0304;
	c.prefer_server_cipher_suites = false;
	c.ncurves = 0;
	assert_int_equal(webtls_priorities(&c, err, sizeof(err)), 0);
	assert_string_equal(c.priorities, "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3:-KX-ALL:"
			    "-CIPHER-ALL:-MAC-ALL:+ECDHE-RSA:+AES-128-GCM:+AES-256-GCM:+AEAD:"
			    "+CHACHA20-POLY1305");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_defaults_and_users),
		cmocka_unit_test(test_priorities),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
