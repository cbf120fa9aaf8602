/*
 * baremail-log - prints the event log (and, with --journal, the undelivered mails) that the firmware keeps on the
 * journal partition of its SD card, from a card image file or from the card itself in a reader (read only).
 *
 * usage: tools/baremail-log [--journal] IMAGE
 * Exit status: 0 printed, 1 no journal partition or unreadable (message on stderr), 2 usage.
 * Uses the firmware's own readers (drivers/storage/mbr.c, firmware/journal.c, firmware/event_log.c,
 * firmware/outbox_journal.c for the mails) and the layout in firmware/persist_layout.h, so it reads exactly what the
 * board wrote.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "drivers/blockdev.h"
#include "drivers/storage/mbr.h"
#include "firmware/event_log.h"
#include "firmware/journal.h"
#include "firmware/outbox_journal.h"
#include "firmware/persist_layout.h"

#define IMAGE_READ_ERROR (-1)

struct image {
    int fd;
    uint32_t first; /* the journal partition, once found: reads are relative to it */
};

static int image_read(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
    const struct image *img = ctx;
    size_t want = (size_t)count * BLOCKDEV_BLOCK_SIZE;
    off_t at = ((off_t)img->first + lba) * BLOCKDEV_BLOCK_SIZE;
    unsigned char *out = buf;
    while (want > 0) {
        ssize_t n = pread(img->fd, out, want, at);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return IMAGE_READ_ERROR;
        }
        out += n;
        at += n;
        want -= (size_t)n;
    }
    return 0;
}

static void print_event(void *ctx, const struct event_log_entry *e)
{
    (void)ctx;
    char line[EVENT_LOG_DETAIL_MAX + 80];
    event_log_format(e, line, sizeof line);
    printf("%s\n", line);
}

/* An outbox record as its mail: what, how many events, its Date and the Message-ID's random part (the part that
 * tells a duplicate after a power loss from another mail). */
static bool print_outbox_record(const struct journal_record *rec)
{
    struct outbox_entry e;
    uint32_t absorbed;
    if (rec->kind != OUTBOX_JOURNAL_KIND || !outbox_journal_decode(rec->payload, rec->len, &e, &absorbed)) {
        return false;
    }
    char what[40];
    switch (e.ev.kind) {
    case ALERT_EVENT_ALERT:
        snprintf(what, sizeof what, "alert %u %s", e.ev.alert, e.ev.recovered ? "recovered" : "triggered");
        break;
    case ALERT_EVENT_BOOT: snprintf(what, sizeof what, "boot mail"); break;
    default: snprintf(what, sizeof what, "heartbeat"); break;
    }
    char date[64] = "no Date yet (queued before the clock was set)";
    time_t t = (time_t)e.date;
    struct tm tm;
    if (e.date >= 0 && gmtime_r(&t, &tm) != NULL) {
        strftime(date, sizeof date, "Date %Y-%m-%d %H:%M:%S UTC", &tm);
    }
    printf("#%-5llu mail %lu: %s, %lu event%s, %s%s, Message-ID part %016llx\n", (unsigned long long)rec->seq,
           (unsigned long)e.id, what, (unsigned long)e.ev.events, e.ev.events == 1 ? "" : "s", date,
           e.date_guessed ? " (the restart's: the event's time is unknown)" : "", (unsigned long long)e.unique);
    return true;
}

static void print_record(void *ctx, const struct journal_record *rec)
{
    (void)ctx;
    if (print_outbox_record(rec)) {
        return;
    }
    printf("#%-5llu kind %u  time %llu  %u bytes\n", (unsigned long long)rec->seq, (unsigned)rec->kind,
           (unsigned long long)rec->time, (unsigned)rec->len);
}

static int usage(void)
{
    fprintf(stderr, "usage: baremail-log [--journal] IMAGE\n"
                    "  prints the event log kept on the journal partition of a baremail SD card (an image file\n"
                    "  made by `make sdcard`, or the card's device, e.g. /dev/sdX); --journal also lists the\n"
                    "  mails not yet delivered\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int show_journal = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--journal") == 0) {
            show_journal = 1;
        } else if (argv[i][0] == '-' || path != NULL) {
            return usage();
        } else {
            path = argv[i];
        }
    }
    if (path == NULL) {
        return usage();
    }

    struct image img = { .fd = open(path, O_RDONLY | O_CLOEXEC), .first = 0 };
    struct stat st;
    if (img.fd < 0 || fstat(img.fd, &st) != 0) {
        fprintf(stderr, "baremail-log: %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (S_ISDIR(st.st_mode)) {
        fprintf(stderr, "baremail-log: %s is a directory: give a card image or the card's device\n", path);
        return 1;
    }
    off_t size = S_ISBLK(st.st_mode) ? lseek(img.fd, 0, SEEK_END) : st.st_size;
    uint64_t blocks = size > 0 ? (uint64_t)size / BLOCKDEV_BLOCK_SIZE : 0;
    struct blockdev disk = { .read = image_read,
                             .ctx = &img,
                             .block_count = blocks > UINT32_MAX ? UINT32_MAX : (uint32_t)blocks };

    uint32_t first, count;
    int err = mbr_find_partition(&disk, MBR_TYPE_NON_FS_DATA, &first, &count);
    if (err != 0) {
        fprintf(stderr, "baremail-log: %s: %s\n", path,
                err == MBR_ERR_NOT_FOUND ? "no journal partition (type 0xDA): a card made before the journal, or "
                                           "not a baremail card"
                                         : mbr_strerror(err));
        return 1;
    }
    if (count < PERSIST_MIN_BLOCKS) {
        fprintf(stderr, "baremail-log: %s: the journal partition has %lu blocks, fewer than the %u of the layout\n",
                path, (unsigned long)count, PERSIST_MIN_BLOCKS);
        return 1;
    }
    img.first = first;
    disk.block_count = count;

    static struct event_log log;
    err = event_log_open(&log, &disk, PERSIST_LOG_FIRST, PERSIST_LOG_BLOCKS);
    if (err != 0) {
        fprintf(stderr, "baremail-log: %s: event log: %s\n", path, journal_strerror(err));
        return 1;
    }
    printf("event log: %lu of the last %lu events\n", (unsigned long)event_log_count(&log),
           (unsigned long)event_log_capacity(&log));
    event_log_read(&log, print_event, NULL);

    if (show_journal) {
        static struct journal jnl;
        err = journal_open(&jnl, &disk, PERSIST_JOURNAL_FIRST, PERSIST_JOURNAL_BLOCKS, PERSIST_JOURNAL_MAGIC,
                           JOURNAL_KEEP_UNDELIVERED);
        if (err != 0) {
            fprintf(stderr, "baremail-log: %s: journal: %s\n", path, journal_strerror(err));
            return 1;
        }
        printf("journal: %lu undelivered (room for %lu)%s\n", (unsigned long)journal_count(&jnl),
               (unsigned long)journal_capacity(&jnl),
               jnl.stats.torn > 0 ? ", a record cut short by a power loss skipped" : "");
        journal_replay(&jnl, print_record, NULL);
    }
    close(img.fd);
    return 0;
}
