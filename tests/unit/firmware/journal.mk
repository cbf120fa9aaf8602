# The journal and the event log on a file-backed block device that loses power mid-write. A small live table
# makes its limit reachable in the test.
UNIT_TESTS += test_journal
test_journal_SRCS := tests/unit/firmware/test_journal.c tests/unit/fakes/crash_disk.c firmware/journal.c $(DISK_SRCS)
test_journal_CFLAGS := -DJOURNAL_MAX_LIVE=32
UNIT_TESTS += test_event_log
test_event_log_SRCS := tests/unit/firmware/test_event_log.c tests/unit/fakes/crash_disk.c $(JOURNAL_SRCS) $(DISK_SRCS)

UNIT_TESTS += test_persist
test_persist_SRCS := tests/unit/firmware/test_persist.c tests/unit/fakes/crash_disk.c firmware/persist.c \
	firmware/log_cmd.c $(JOURNAL_SRCS) $(DISK_SRCS) $(CONSOLE_SRCS) $(FAKE_BOARD_SRCS) \
	tests/unit/fakes/stdout_capture.c

# make bench-journal: bytes and block writes per alert, capacity, boot time with a full journal (bench/journal).
.PHONY: bench-journal
bench-journal: | $(SETUP_STAMP)
	$(MAKE) --no-print-directory all-boards
	bench/journal
# The outbox's store on the journal: layout, replay, writes per alert, merges and workloads cut by power losses.
UNIT_TESTS += test_outbox_journal
test_outbox_journal_SRCS := tests/unit/firmware/test_outbox_journal.c tests/unit/fakes/crash_disk.c $(JOURNAL_SRCS) \
	$(DISK_SRCS)
