/*
 * Unit tests for mail/mail_addr: address lists as real headers write them, addr-spec validation, domains.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mail/mail.h"
#include "mail/mail_addr.h"

struct joined {
    char text[1024];
    int stop_after; /* > 0: return 1 at that address; < 0: return that error at the first */
    int seen;
};

static int join(void *ctx, const char *addr)
{
    struct joined *j = ctx;

    if (j->text[0] != '\0') {
        strcat(j->text, "|");
    }
    strcat(j->text, addr);
    j->seen++;
    if (j->stop_after < 0) {
        return j->stop_after;
    }
    return j->stop_after > 0 && j->seen == j->stop_after ? 1 : 0;
}

struct list_case {
    const char *in;
    int rc;             /* count or MAIL_ERR_* */
    const char *expect; /* addresses joined by '|' */
};

/* clang-format off */
static const struct list_case list_cases[] = {
	{ "a@x.org", 1, "a@x.org" },
	{ "Name <a@x.org>", 1, "a@x.org" },
	{ "\"Doe, John\" <john@x.org>, jane@y.org,\r\n\tbob@z.org", 3, "john@x.org|jane@y.org|bob@z.org" },
	{ "\"Doe, John\" <john@x.org>, jane@y.org,\n bob@z.org", 3, "john@x.org|jane@y.org|bob@z.org" },
	{ "Team: a@t.org, b@t.org;, c@x.org", 3, "a@t.org|b@t.org|c@x.org" },
	{ "undisclosed-recipients:;", 0, "" },
	{ "a@x.org (Alice, the (real) boss)", 1, "a@x.org" },
	{ "(c) a@x.org", 1, "a@x.org" },
	{ "<@relay.example:a@x.org>", 1, "a@x.org" },
	{ "a@x.org,,  ,b@x.org,", 2, "a@x.org|b@x.org" },
	{ "\"john doe\"@x.org", 1, "\"john doe\"@x.org" },
	{ "\"a\\\"b\"@x.org", 1, "\"a\\\"b\"@x.org" },
	{ "bob", 1, "bob" },
	{ "bob, root", 2, "bob|root" },
	{ "a . b @ x.org", 1, "a.b@x.org" },
	{ "J\xc3\xb6rg <j\xc3\xb6rg@x.de>", 1, "j\xc3\xb6rg@x.de" },
	{ "<a@x.org> Alice", 1, "a@x.org" },
	{ "", 0, "" },
	{ "   \r\n ", 0, "" },
	{ "John Doe john@x.org", MAIL_ERR_ADDRESS, NULL },
	{ "Name <a@x.org", MAIL_ERR_ADDRESS, NULL },
	{ "\"unterminated <a@x.org>", MAIL_ERR_ADDRESS, NULL },
	{ "(comment a@x.org", MAIL_ERR_ADDRESS, NULL },
	{ "a@x.org>", MAIL_ERR_ADDRESS, NULL },
	{ "x <a@b.org> <c@d.org>", MAIL_ERR_ADDRESS, NULL },
	{ "<<a@b.org>>", MAIL_ERR_ADDRESS, NULL },
	{ "Outer: Inner: a@b.org;;", MAIL_ERR_ADDRESS, NULL },
	{ "<>", MAIL_ERR_ADDRESS, NULL },
};
/* clang-format on */

static void test_parse_list_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
        const struct list_case *c = &list_cases[i];
        struct joined j = { .text = "" };
        int rc = mail_addr_parse_list(c->in, strlen(c->in), join, &j);

        if (rc != c->rc) {
            fail_msg("case %zu '%s': rc %d, expected %d (got '%s')", i, c->in, rc, c->rc, j.text);
        }
        if (c->expect != NULL && strcmp(j.text, c->expect) != 0) {
            fail_msg("case %zu '%s': got '%s', expected '%s'", i, c->in, j.text, c->expect);
        }
    }
}

static void test_parse_list_limits(void **state)
{
    char big[400];
    struct joined j = { .text = "" };
    int rc;

    (void)state;
    /* an address of 255 octets does not fit an SMTP path */
    memset(big, 'a', 251);
    memcpy(big + 251, "@x.o", 5);
    assert_int_equal(mail_addr_parse_list(big, strlen(big), join, &j), MAIL_ERR_ADDRESS);
    /* but a long display name before <addr> is fine */
    memset(big, 'N', 300);
    memcpy(big + 300, " <a@x.org>", 11);
    rc = mail_addr_parse_list(big, strlen(big), join, &j);
    assert_int_equal(rc, 1);
    assert_string_equal(j.text, "a@x.org");
    /* the length is honoured: no reading past it */
    memset(&j, 0, sizeof(j));
    assert_int_equal(mail_addr_parse_list("a@x.org, b@y.org", 7, join, &j), 1);
    assert_string_equal(j.text, "a@x.org");
    assert_int_equal(mail_addr_parse_list(NULL, 3, join, &j), MAIL_ERR_ARG);
    assert_int_equal(mail_addr_parse_list("a", 1, NULL, NULL), MAIL_ERR_ARG);
}

static void test_parse_list_callback_control(void **state)
{
    struct joined j = { .text = "", .stop_after = 1 };

    (void)state;
    assert_int_equal(mail_addr_parse_list("a@x.org, b@x.org, c@x.org", 25, join, &j), 1);
    assert_string_equal(j.text, "a@x.org");
    memset(&j, 0, sizeof(j));
    j.stop_after = MAIL_ERR_RCPT_LIMIT;
    assert_int_equal(mail_addr_parse_list("a@x.org, b@x.org", 16, join, &j), MAIL_ERR_RCPT_LIMIT);
    assert_int_equal(j.seen, 1);
}

struct valid_case {
    const char *addr;
    bool valid;
};

/* clang-format off */
static const struct valid_case valid_cases[] = {
	{ "alerts@example.com", true },
	{ "a.b+tag@sub.example.co.uk", true },
	{ "root@MiniProjet", true },
	{ "\"john doe\"@x.org", true },
	{ "\"a@b\"@x.org", true },
	{ "user@[192.0.2.1]", true },
	{ "j\xc3\xb6rg@b\xc3\xbc" "cher.de", true },
	{ "o'brien@x.org", true },
	{ "bob", false },
	{ "@x.org", false },
	{ "a@", false },
	{ "a..b@x.org", false },
	{ ".a@x.org", false },
	{ "a.@x.org", false },
	{ "a b@x.org", false },
	{ "a@x..org", false },
	{ "a@-x.org", false },
	{ "a@x-.org", false },
	{ "a@x_y.org", false },
	{ "a@x.org.", false },
	{ "a@[1.2.3.4", false },
	{ "\"unterminated@x.org", false },
	{ "a<b@x.org", false },
	{ "", false },
};
/* clang-format on */

static void test_is_valid_table(void **state)
{
    char local65[80];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++) {
        if (mail_addr_is_valid(valid_cases[i].addr) != valid_cases[i].valid) {
            fail_msg("'%s': expected %s", valid_cases[i].addr, valid_cases[i].valid ? "valid" : "invalid");
        }
    }
    memset(local65, 'a', 65);
    memcpy(local65 + 65, "@x.org", 7);
    assert_false(mail_addr_is_valid(local65));
    local65[64] = '@';
    local65[65] = '\0';
    strcat(local65, "x.org");
    assert_true(mail_addr_is_valid(local65));
    assert_false(mail_addr_is_valid(NULL));
}

static void test_domain(void **state)
{
    (void)state;
    assert_string_equal(mail_addr_domain("a@x.org"), "x.org");
    assert_string_equal(mail_addr_domain("\"a@b\"@y.org"), "y.org");
    assert_null(mail_addr_domain("bob"));
    assert_null(mail_addr_domain(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_list_table),
        cmocka_unit_test(test_parse_list_limits),
        cmocka_unit_test(test_parse_list_callback_control),
        cmocka_unit_test(test_is_valid_table),
        cmocka_unit_test(test_domain),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
