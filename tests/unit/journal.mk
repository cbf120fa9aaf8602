# The journal and the event log on a file-backed block device that loses power mid-write. A small live table
# makes its limit reachable in the test.
UNIT_TESTS += test_journal
test_journal_SRCS := tests/unit/test_journal.c tests/unit/crash_disk.c firmware/journal.c drivers/blockdev.c
test_journal_CFLAGS := -DJOURNAL_MAX_LIVE=32
