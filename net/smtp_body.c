/*
 * smtp_body - the SMTP engine's message encoder (see smtp_body.h for the contract).
 */
#include "net/smtp_body.h"

#include <stdio.h>
#include <string.h>

#define DATA_END     ".\r\n"
#define DATA_END_LEN 3

int smtp_text_read(void *ctx, uint8_t *buf, size_t cap)
{
    struct smtp_text *t = ctx;
    size_t n = t->len - t->pos < cap ? t->len - t->pos : cap;

    memcpy(buf, t->text + t->pos, n);
    t->pos += n;
    return (int)n;
}

void smtp_body_start(struct smtp_body *b, smtp_read_fn read, void *ctx)
{
    b->read = read;
    b->read_ctx = ctx;
    b->line_start = true;
    b->pending_cr = false;
    b->eof = false;
    b->in_pos = 0;
    b->in_len = 0;
}

/* Asks the reader for more once everything read is used. */
static int refill(struct smtp_body *b)
{
    int n;

    if (b->in_pos < b->in_len || b->eof) {
        return SMTP_BODY_OK;
    }
    n = b->read(b->read_ctx, b->in, sizeof(b->in));
    b->in_pos = 0;
    b->in_len = 0;
    if (n < 0 || (size_t)n > sizeof(b->in)) {
        return SMTP_BODY_ERR_READER;
    }
    if (n == 0) {
        b->eof = true;
    }
    b->in_len = (size_t)n;
    return SMTP_BODY_OK;
}

static void put_crlf(struct smtp_body *b, uint8_t *dst, size_t *n)
{
    dst[(*n)++] = '\r';
    dst[(*n)++] = '\n';
    b->line_start = true;
}

/* Message octets into wire octets at dst until room runs short or the message ends; *len is the count. In DATA
 * mode (`stuff`) a '.' at the start of a line is doubled. At the end, a missing final CRLF is added. */
static int transform(struct smtp_body *b, uint8_t *dst, size_t room, bool stuff, size_t *len)
{
    size_t n = 0;

    while (room - n >= SMTP_BODY_ROOM_MIN) {
        uint8_t c;
        int err = refill(b);

        if (err != SMTP_BODY_OK) {
            return err;
        }
        if (b->in_pos == b->in_len) {
            if (b->pending_cr || !b->line_start) {
                put_crlf(b, dst, &n);
                b->pending_cr = false;
            }
            break;
        }
        c = b->in[b->in_pos++];
        if (b->pending_cr) {
            b->pending_cr = false;
            put_crlf(b, dst, &n);
            if (c == '\n') {
                continue;
            }
        }
        if (c == '\r') {
            b->pending_cr = true;
            continue;
        }
        if (c == '\n') {
            put_crlf(b, dst, &n);
            continue;
        }
        if (stuff && b->line_start && c == '.') {
            dst[n++] = '.';
        }
        dst[n++] = c;
        b->line_start = false;
    }
    *len = n;
    return SMTP_BODY_OK;
}

/* Everything read was written, and the last line was ended. */
static bool finished(const struct smtp_body *b)
{
    return b->eof && b->in_pos == b->in_len && !b->pending_cr && b->line_start;
}

int smtp_body_data(struct smtp_body *b, uint8_t *dst, size_t room, struct smtp_body_chunk *chunk)
{
    int err;

    memset(chunk, 0, sizeof(*chunk));
    if (room < SMTP_BODY_DATA_ROOM_MIN) {
        return SMTP_BODY_ERR_ROOM;
    }
    err = transform(b, dst, room - SMTP_BODY_DATA_END_LEN, true, &chunk->data_len);
    if (err != SMTP_BODY_OK) {
        return err;
    }
    chunk->len = chunk->data_len;
    if (finished(b)) {
        memcpy(dst + chunk->len, DATA_END, DATA_END_LEN);
        chunk->len += DATA_END_LEN;
        chunk->last = true;
    }
    return SMTP_BODY_OK;
}

/* The content is written after a slot the size of the longest command line; the line is then filled in and the
 * content moved up against it. */
int smtp_body_bdat(struct smtp_body *b, uint8_t *dst, size_t room, struct smtp_body_chunk *chunk)
{
    char header[SMTP_BODY_BDAT_HEADER_MAX + 1];
    size_t n, h;
    int err;

    memset(chunk, 0, sizeof(*chunk));
    if (room < SMTP_BODY_BDAT_ROOM_MIN) {
        return SMTP_BODY_ERR_ROOM;
    }
    err = transform(b, dst + SMTP_BODY_BDAT_HEADER_MAX, room - SMTP_BODY_BDAT_HEADER_MAX, false, &n);
    if (err == SMTP_BODY_OK) {
        err = refill(b); /* look ahead so that the chunk that ends the message carries LAST */
    }
    if (err != SMTP_BODY_OK) {
        return err;
    }
    chunk->last = finished(b);
    h = (size_t)snprintf(header, sizeof(header), "BDAT %lu%s\r\n", (unsigned long)n, chunk->last ? " LAST" : "");
    memcpy(dst, header, h);
    memmove(dst + h, dst + SMTP_BODY_BDAT_HEADER_MAX, n);
    chunk->header_len = h;
    chunk->data_len = n;
    chunk->len = h + n;
    return SMTP_BODY_OK;
}

const char *smtp_body_strerror(int err)
{
    switch (err) {
    case SMTP_BODY_OK: return "ok";
    case SMTP_BODY_ERR_READER: return "message reader failed";
    case SMTP_BODY_ERR_ROOM: return "no room for the message in the output buffer";
    default: return "unknown body error";
    }
}
