# The console's line editor (firmware/console_editor) and sendmail's message reader (mail/mail_input) under
# libFuzzer: what arrives on the serial line is untrusted.
FUZZ_TARGETS += fuzz_console_editor
fuzz_console_editor_SRCS := tests/fuzz/fuzz_console_editor.c firmware/console_editor.c

FUZZ_TARGETS += fuzz_mail_input
fuzz_mail_input_SRCS := tests/fuzz/fuzz_mail_input.c mail/mail_input.c
