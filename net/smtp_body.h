/*
 * smtp_body - the SMTP engine's message encoder: message octets in, wire octets out (RFC 5321 §4.5.2, RFC 3030).
 *
 * The engine (net/smtp.h) pulls the message through a reader and writes it into its output buffer as DATA content
 * (dot-stuffed, ended by ".") or as BDAT chunks (a "BDAT n [LAST]" line before each chunk). Either way CRLF, bare
 * LF and bare CR all become CRLF, and a missing final line end is added, so that the body can never end the DATA
 * early nor leave a bare CR for the server to guess at. The octets are passed through otherwise (8BITMIME and
 * SMTPUTF8 content is the caller's choice, announced in MAIL FROM).
 *
 * Rules: pure C11 and libc, no allocation, no I/O but the reader; one encoder per message, not thread-safe. The
 * reader and its context are the caller's and must stay valid until the message ends. The encoder asks the reader
 * for at most SMTP_READ_CHUNK octets at a time and keeps no more than that: the message is never copied whole.
 * Every call writes into the caller's buffer only, within the room it is given.
 */
#ifndef NET_SMTP_BODY_H
#define NET_SMTP_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* Octets asked of the message reader at a time. */
#ifndef SMTP_READ_CHUNK
#define SMTP_READ_CHUNK 512
#endif

/* "BDAT 4294967295 LAST\r\n": the room a chunk's command line takes. */
#define SMTP_BODY_BDAT_HEADER_MAX 22
/* One input octet becomes at most four output octets (a pending CR's CRLF, then a stuffed ".."), and the end of
 * the message adds a CRLF: the least room in which the encoder still makes progress. */
#define SMTP_BODY_ROOM_MIN 6
/* "\r\n" to end the last line, then ".\r\n", with room to spare. */
#define SMTP_BODY_DATA_END_LEN 7
/* The least room smtp_body_data and smtp_body_bdat accept. */
#define SMTP_BODY_DATA_ROOM_MIN (SMTP_BODY_ROOM_MIN + SMTP_BODY_DATA_END_LEN)
#define SMTP_BODY_BDAT_ROOM_MIN (SMTP_BODY_ROOM_MIN + SMTP_BODY_BDAT_HEADER_MAX)

#define SMTP_BODY_OK         0
#define SMTP_BODY_ERR_READER (-ERR_BASE_SMTP_BODY - 1) /* the reader returned an error or more than it was asked for */
#define SMTP_BODY_ERR_ROOM   (-ERR_BASE_SMTP_BODY - 2) /* less room than the call needs to make progress */

/* Fill buf with up to cap octets of the message; return the count, 0 at the end, negative on error. */
typedef int (*smtp_read_fn)(void *ctx, uint8_t *buf, size_t cap);

/* A message already in memory, read from the start: smtp_text_read is the smtp_read_fn for it (ctx points to the
 * struct, which with the text must outlive the session). */
struct smtp_text {
    const char *text;
    size_t len;
    size_t pos;
};
int smtp_text_read(void *ctx, uint8_t *buf, size_t cap);

/* What one call wrote. */
struct smtp_body_chunk {
    size_t len;        /* octets written in all: command line, content and terminator */
    size_t header_len; /* the BDAT command line with its CRLF at the start (0 for DATA) */
    size_t data_len;   /* octets of the message (after line ends and dot-stuffing) */
    bool last;         /* the message ended in this chunk (BDAT ... LAST, or "." written) */
};

/* Everything below is private to net/smtp_body.c; it is here only so that callers can allocate an encoder. */
struct smtp_body {
    smtp_read_fn read;
    void *read_ctx;
    bool line_start; /* the next octet starts a line (a '.' there is stuffed in DATA) */
    bool pending_cr; /* a CR was read: a following LF belongs to it */
    bool eof;        /* the reader said 0 */
    size_t in_pos;
    size_t in_len;
    uint8_t in[SMTP_READ_CHUNK];
};

/* Start a message read through `read` (called with `ctx`) from its first octet. */
void smtp_body_start(struct smtp_body *b, smtp_read_fn read, void *ctx);

/* DATA content into dst (room >= SMTP_BODY_DATA_ROOM_MIN): as much of the message as fits, dot-stuffed, and when
 * it ends there, the "." line that ends the data. Call again (with room again) until chunk->last. Returns
 * SMTP_BODY_OK or a negative SMTP_BODY_ERR_*; on an error nothing in dst is to be sent. */
int smtp_body_data(struct smtp_body *b, uint8_t *dst, size_t room, struct smtp_body_chunk *chunk);

/* One BDAT chunk into dst (room >= SMTP_BODY_BDAT_ROOM_MIN): "BDAT n\r\n" or "BDAT n LAST\r\n" and n octets of the
 * message, not dot-stuffed. The reader is asked ahead so that the chunk that ends the message carries LAST (a
 * message that ends exactly at a chunk's end gets no empty extra chunk). Returns as smtp_body_data. */
int smtp_body_bdat(struct smtp_body *b, uint8_t *dst, size_t room, struct smtp_body_chunk *chunk);

const char *smtp_body_strerror(int err);

#endif /* NET_SMTP_BODY_H */
