# The application: serial console and boot banner (the lead adds firmware/main.c). One line per source file; what
# tests and tools link together is listed once in its own variable, which FIRMWARE_SRCS takes whole:
#   CONSOLE_SRCS          the console's command table and its line editor;
#   CONSOLE_BUILTIN_SRCS  the built-in commands and the boot banner they print (they need firmware/version.h);
#   MAIN_LOOP_SRCS        one pass of the main loop and the console commands' wait through it;
#   JOURNAL_SRCS          the journal on the card and what the outbox and the event log keep on it, with the
#                         outbox's queue whose records those are (what tools/baremail-log reads).
CONSOLE_SRCS += firmware/console.c
CONSOLE_SRCS += firmware/console_editor.c
FIRMWARE_SRCS += $(CONSOLE_SRCS)
CONSOLE_BUILTIN_SRCS += firmware/banner.c
CONSOLE_BUILTIN_SRCS += firmware/console_builtin.c
FIRMWARE_SRCS += $(CONSOLE_BUILTIN_SRCS)
FIRMWARE_SRCS += firmware/main.c
# One pass of the main loop, which main() and every waiting console command run, and the network wait console
# commands share.
MAIN_LOOP_SRCS += firmware/main_loop.c
MAIN_LOOP_SRCS += firmware/cmd_wait.c
FIRMWARE_SRCS += $(MAIN_LOOP_SRCS)
FIRMWARE_SRCS += firmware/crash_cmd.c
FIRMWARE_SRCS += firmware/config_load.c
FIRMWARE_SRCS += firmware/usb_cmd.c
# `pin`: read an input, or simulate one on the native board and under QEMU.
FIRMWARE_SRCS += firmware/pin_cmd.c
FIRMWARE_SRCS += firmware/net_cmd.c
# smtp.conf as the settings of net/ (the interface, TLS, the SMTP engine, a submission).
FIRMWARE_SRCS += firmware/net_settings.c
# `iperf`: a TCP receive test, for the link and for bench/net-boot.
FIRMWARE_SRCS += firmware/iperf_cmd.c
# The console's `test` and `sendmail`.
FIRMWARE_SRCS += firmware/mail_cmd.c
# Alerts: the engine (debounce, edges, rate limits, summaries, boot and heartbeat timing) and the mail texts.
FIRMWARE_SRCS += firmware/alert_engine.c
FIRMWARE_SRCS += firmware/alert_mail.c
# The glue to the board's inputs and the `alerts` command.
FIRMWARE_SRCS += firmware/alerts.c
FIRMWARE_SRCS += firmware/alerts_cmd.c
# The outbox: the queue of alert, boot and heartbeat mail, its delivery through the SMTP client, `outbox`; what
# survives a power cut: the journal under the outbox and the event log on the card's journal partition.
JOURNAL_SRCS += firmware/outbox.c
JOURNAL_SRCS += firmware/outbox_journal.c
JOURNAL_SRCS += firmware/journal.c
JOURNAL_SRCS += firmware/event_log.c
FIRMWARE_SRCS += $(JOURNAL_SRCS)
FIRMWARE_SRCS += firmware/outbox_classify.c
FIRMWARE_SRCS += firmware/outbox_delivery.c
FIRMWARE_SRCS += firmware/outbox_cmd.c
FIRMWARE_SRCS += firmware/persist.c
FIRMWARE_SRCS += firmware/log_cmd.c
