# The application: serial console and boot banner (the lead adds firmware/main.c).
FIRMWARE_SRCS += firmware/banner.c
FIRMWARE_SRCS += firmware/console.c
FIRMWARE_SRCS += firmware/console_builtin.c
FIRMWARE_SRCS += firmware/console_editor.c
FIRMWARE_SRCS += firmware/main.c
# One pass of the main loop, which main() and every waiting console command run.
FIRMWARE_SRCS += firmware/main_loop.c
FIRMWARE_SRCS += firmware/crash_cmd.c
FIRMWARE_SRCS += firmware/config_load.c
FIRMWARE_SRCS += firmware/usb_cmd.c
# `pin`: read an input, or simulate one on the native board and under QEMU.
FIRMWARE_SRCS += firmware/pin_cmd.c
FIRMWARE_SRCS += firmware/net_cmd.c
# `iperf`: a TCP receive test, for the link and for bench/net-boot.
FIRMWARE_SRCS += firmware/iperf_cmd.c
# The console's `test` and `sendmail`, and the network wait console commands share.
FIRMWARE_SRCS += firmware/cmd_wait.c
FIRMWARE_SRCS += firmware/mail_cmd.c
# Alerts: the engine (debounce, edges, rate limits, summaries, boot and heartbeat timing) and the mail texts.
FIRMWARE_SRCS += firmware/alert_engine.c
FIRMWARE_SRCS += firmware/alert_mail.c
# The glue to the board's inputs and the `alerts` command.
FIRMWARE_SRCS += firmware/alerts.c
FIRMWARE_SRCS += firmware/alerts_cmd.c
# The outbox: the queue of alert, boot and heartbeat mail, its delivery through the SMTP client, `outbox`.
FIRMWARE_SRCS += firmware/outbox.c
FIRMWARE_SRCS += firmware/outbox_classify.c
FIRMWARE_SRCS += firmware/outbox_delivery.c
FIRMWARE_SRCS += firmware/outbox_cmd.c
FIRMWARE_SRCS += firmware/outbox_journal.c
# What survives a power cut: the journal under the outbox and the event log on the card's journal partition.
FIRMWARE_SRCS += firmware/journal.c
FIRMWARE_SRCS += firmware/event_log.c
FIRMWARE_SRCS += firmware/persist.c
FIRMWARE_SRCS += firmware/log_cmd.c
