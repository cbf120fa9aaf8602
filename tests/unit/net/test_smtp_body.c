/*
 * Unit tests for net/smtp_body, the SMTP engine's message encoder. Each row is a message and what the wire must
 * carry: as DATA content (dot-stuffed, then ".") and as BDAT chunks (not stuffed; the chunks' data joined).
 * Every row runs with a reader that gives the whole message or one octet per call, and with the room of a whole
 * buffer or the least room each call accepts, which must all give the same octets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/smtp_body.h"

#define WIRE_MAX   8192
#define ROOM_WHOLE 4096

struct body_case {
    const char *name;
    const char *message;
    const char *data; /* DATA content, "." line included */
    const char *bdat; /* BDAT chunks' data joined */
};

/* clang-format off */
static const struct body_case cases[] = {
	{ "empty", "", ".\r\n", "" },
	{ "one line, no line end", "a", "a\r\n.\r\n", "a\r\n" },
	{ "CRLF kept", "a\r\nb\r\n", "a\r\nb\r\n.\r\n", "a\r\nb\r\n" },
	{ "bare LF", "a\nb\n", "a\r\nb\r\n.\r\n", "a\r\nb\r\n" },
	{ "bare CR", "a\rb\r", "a\r\nb\r\n.\r\n", "a\r\nb\r\n" },
	{ "CR CR LF", "a\r\r\nb", "a\r\n\r\nb\r\n.\r\n", "a\r\n\r\nb\r\n" },
	{ "LF CR", "a\n\rb", "a\r\n\r\nb\r\n.\r\n", "a\r\n\r\nb\r\n" },
	{ "dots at line starts", ".x\n..y\n.", "..x\r\n...y\r\n..\r\n.\r\n", ".x\r\n..y\r\n.\r\n" },
	{ "dot inside a line", "x.y\r\n", "x.y\r\n.\r\n", "x.y\r\n" },
	{ "a body that tries to end the data", "a\r\n.\r\nMAIL FROM:<x>\r\n",
	  "a\r\n..\r\nMAIL FROM:<x>\r\n.\r\n", "a\r\n.\r\nMAIL FROM:<x>\r\n" },
	{ "dot after a bare CR", "a\r.b", "a\r\n..b\r\n.\r\n", "a\r\n.b\r\n" },
	{ "8-bit octets pass", "caf\xc3\xa9\n", "caf\xc3\xa9\r\n.\r\n", "caf\xc3\xa9\r\n" },
};
/* clang-format on */

struct reader {
    const char *text;
    size_t len;
    size_t pos;
    size_t per_call; /* at most this much per call */
    size_t max_cap;  /* the largest cap the encoder asked for */
    int fail_at;     /* return -1 once pos reaches this (-1: never) */
    bool overflow;   /* claim one octet more than cap */
};

static int reader_read(void *ctx, uint8_t *buf, size_t cap)
{
    struct reader *r = ctx;
    size_t n = r->len - r->pos;

    if (cap > r->max_cap) {
        r->max_cap = cap;
    }
    if (r->fail_at >= 0 && r->pos >= (size_t)r->fail_at) {
        return -1;
    }
    if (r->overflow) {
        return (int)cap + 1;
    }
    if (n > cap) {
        n = cap;
    }
    if (n > r->per_call) {
        n = r->per_call;
    }
    memcpy(buf, r->text + r->pos, n);
    r->pos += n;
    return (int)n;
}

static void reader_set(struct reader *r, const char *text, size_t len, size_t per_call)
{
    memset(r, 0, sizeof(*r));
    r->text = text;
    r->len = len;
    r->per_call = per_call;
    r->fail_at = -1;
}

/* DATA content of the whole message; fails the test on an error or when a call makes no progress. */
static size_t encode_data(struct reader *rd, size_t room, uint8_t *wire, size_t *data_octets)
{
    struct smtp_body b;
    struct smtp_body_chunk c;
    size_t len = 0;

    smtp_body_start(&b, reader_read, rd);
    *data_octets = 0;
    do {
        assert_true(len + room <= WIRE_MAX);
        assert_int_equal(smtp_body_data(&b, wire + len, room, &c), SMTP_BODY_OK);
        assert_true(c.len <= room);
        assert_int_equal(c.header_len, 0);
        assert_true(c.len > 0 || c.last);
        len += c.len;
        *data_octets += c.data_len;
    } while (!c.last);
    return len;
}

/* BDAT chunks of the whole message, their data joined into `data`; checks each header against its chunk. */
static size_t encode_bdat(struct reader *rd, size_t room, uint8_t *data, unsigned *chunks)
{
    struct smtp_body b;
    struct smtp_body_chunk c;
    uint8_t buf[ROOM_WHOLE];
    size_t len = 0;

    smtp_body_start(&b, reader_read, rd);
    *chunks = 0;
    do {
        char expect[SMTP_BODY_BDAT_HEADER_MAX + 1];

        assert_true(room <= sizeof(buf));
        assert_int_equal(smtp_body_bdat(&b, buf, room, &c), SMTP_BODY_OK);
        assert_true(c.len <= room);
        assert_int_equal(c.len, c.header_len + c.data_len);
        snprintf(expect, sizeof(expect), "BDAT %zu%s\r\n", c.data_len, c.last ? " LAST" : "");
        assert_int_equal(c.header_len, strlen(expect));
        assert_memory_equal(buf, expect, c.header_len);
        assert_true(len + c.data_len <= WIRE_MAX);
        memcpy(data + len, buf + c.header_len, c.data_len);
        len += c.data_len;
        (*chunks)++;
    } while (!c.last);
    return len;
}

static void test_table(void **state)
{
    static const size_t per_calls[] = { SIZE_MAX, 1 };
    static const size_t data_rooms[] = { ROOM_WHOLE, SMTP_BODY_DATA_ROOM_MIN };
    static const size_t bdat_rooms[] = { ROOM_WHOLE, SMTP_BODY_BDAT_ROOM_MIN };
    static uint8_t wire[WIRE_MAX];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct body_case *t = &cases[i];

        for (size_t p = 0; p < 2; p++) {
            for (size_t k = 0; k < 2; k++) {
                struct reader rd;
                size_t n, octets;
                unsigned chunks;

                reader_set(&rd, t->message, strlen(t->message), per_calls[p]);
                n = encode_data(&rd, data_rooms[k], wire, &octets);
                if (n != strlen(t->data) || memcmp(wire, t->data, n) != 0) {
                    fail_msg("%s (DATA, room %zu): got '%.*s'", t->name, data_rooms[k], (int)n, wire);
                }
                assert_int_equal(octets, n - 3); /* the "." line is not the message's */

                reader_set(&rd, t->message, strlen(t->message), per_calls[p]);
                n = encode_bdat(&rd, bdat_rooms[k], wire, &chunks);
                if (n != strlen(t->bdat) || memcmp(wire, t->bdat, n) != 0) {
                    fail_msg("%s (BDAT, room %zu): got '%.*s'", t->name, bdat_rooms[k], (int)n, wire);
                }
                if (k == 0) {
                    assert_int_equal(chunks, 1); /* it all fits one chunk: LAST on it, no empty one */
                }
            }
        }
    }
}

/* A message larger than the reader's chunk and the room: every octet once, in order, never a larger ask. */
static void test_long_message(void **state)
{
    static char text[3 * SMTP_READ_CHUNK + 17];
    static char expect[2 * sizeof(text)];
    static uint8_t wire[WIRE_MAX];
    struct reader rd;
    size_t n, e = 0, octets;
    unsigned chunks;

    (void)state;
    for (size_t i = 0; i < sizeof(text); i++) {
        text[i] = i % 50 == 49 ? '\n' : (i % 50 == 0 ? '.' : (char)('a' + i % 26));
        if (text[i] == '\n') {
            expect[e++] = '\r';
        }
        expect[e++] = text[i];
    }
    reader_set(&rd, text, sizeof(text), SIZE_MAX);
    n = encode_bdat(&rd, 200, wire, &chunks);
    assert_int_equal(n, e + 2); /* the last line, cut off without a line end, gets one */
    assert_memory_equal(wire, expect, e);
    assert_memory_equal(wire + e, "\r\n", 2);
    assert_true(chunks > 1);
    assert_true(rd.max_cap <= SMTP_READ_CHUNK);

    reader_set(&rd, text, sizeof(text), SIZE_MAX);
    n = encode_data(&rd, ROOM_WHOLE, wire, &octets);
    assert_int_equal(octets + 3, n);
    assert_int_equal(wire[0], '.'); /* every line starts with a dot here: stuffed */
    assert_int_equal(wire[1], '.');
    assert_memory_equal(wire + n - 5, "\r\n.\r\n", 5);
    assert_true(rd.max_cap <= SMTP_READ_CHUNK);
}

static void test_reader_errors(void **state)
{
    static char text[2 * SMTP_READ_CHUNK];
    uint8_t buf[ROOM_WHOLE];
    struct smtp_body b;
    struct smtp_body_chunk c;
    struct reader rd;

    (void)state;
    memset(text, 'x', sizeof(text));
    reader_set(&rd, text, sizeof(text), SIZE_MAX);
    rd.fail_at = SMTP_READ_CHUNK;
    smtp_body_start(&b, reader_read, &rd);
    assert_int_equal(smtp_body_data(&b, buf, sizeof(buf), &c), SMTP_BODY_ERR_READER);

    /* A failure after a whole read's worth was encoded is still an error: no chunk to send. */
    reader_set(&rd, text, SMTP_READ_CHUNK, SIZE_MAX);
    rd.fail_at = SMTP_READ_CHUNK;
    smtp_body_start(&b, reader_read, &rd);
    assert_int_equal(smtp_body_bdat(&b, buf, SMTP_READ_CHUNK + SMTP_BODY_BDAT_ROOM_MIN, &c), SMTP_BODY_ERR_READER);

    reader_set(&rd, text, sizeof(text), SIZE_MAX);
    rd.overflow = true;
    smtp_body_start(&b, reader_read, &rd);
    assert_int_equal(smtp_body_bdat(&b, buf, sizeof(buf), &c), SMTP_BODY_ERR_READER);
    assert_string_equal(smtp_body_strerror(SMTP_BODY_ERR_READER), "message reader failed");
}

static void test_room_too_small(void **state)
{
    uint8_t buf[ROOM_WHOLE];
    struct smtp_body b;
    struct smtp_body_chunk c;
    struct reader rd;

    (void)state;
    reader_set(&rd, "abc", 3, SIZE_MAX);
    smtp_body_start(&b, reader_read, &rd);
    assert_int_equal(smtp_body_data(&b, buf, SMTP_BODY_DATA_ROOM_MIN - 1, &c), SMTP_BODY_ERR_ROOM);
    assert_int_equal(smtp_body_bdat(&b, buf, SMTP_BODY_BDAT_ROOM_MIN - 1, &c), SMTP_BODY_ERR_ROOM);
    assert_int_equal(rd.pos, 0); /* nothing was read */
    assert_int_equal(smtp_body_data(&b, buf, SMTP_BODY_DATA_ROOM_MIN, &c), SMTP_BODY_OK);
}

static void test_text_read(void **state)
{
    struct smtp_text t = { .text = "hello", .len = 5, .pos = 0 };
    uint8_t buf[8];

    (void)state;
    assert_int_equal(smtp_text_read(&t, buf, 3), 3);
    assert_memory_equal(buf, "hel", 3);
    assert_int_equal(smtp_text_read(&t, buf, sizeof(buf)), 2);
    assert_memory_equal(buf, "lo", 2);
    assert_int_equal(smtp_text_read(&t, buf, sizeof(buf)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),         cmocka_unit_test(test_long_message),
        cmocka_unit_test(test_reader_errors), cmocka_unit_test(test_room_too_small),
        cmocka_unit_test(test_text_read),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
