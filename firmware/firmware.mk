# The application: serial console and boot banner (the lead adds firmware/main.c).
FIRMWARE_SRCS += firmware/banner.c
FIRMWARE_SRCS += firmware/console.c
FIRMWARE_SRCS += firmware/console_builtin.c
FIRMWARE_SRCS += firmware/console_editor.c
FIRMWARE_SRCS += firmware/main.c
FIRMWARE_SRCS += firmware/crash_cmd.c
FIRMWARE_SRCS += firmware/config_load.c
FIRMWARE_SRCS += firmware/usb_cmd.c
