/* Words for the board interface's codes: the same on every board, so tests and users can rely on them. */
#include "board/board.h"

const char *board_reset_cause_name(enum board_reset_cause cause)
{
    switch (cause) {
    case BOARD_RESET_POWER_ON: return "power-on";
    case BOARD_RESET_CONSOLE: return "console reboot";
    case BOARD_RESET_CRASH: return "crash";
    case BOARD_RESET_WATCHDOG: return "watchdog timeout";
    case BOARD_RESET_REQUESTED: return "firmware request";
    default: return "unknown";
    }
}

const char *board_strerror(int err)
{
    switch (err) {
    case 0: return "no error";
    case BOARD_ERR_NO_MEDIA: return "no SD card or no FAT boot partition";
    case BOARD_ERR_NOT_FOUND: return "no such file on the boot partition";
    case BOARD_ERR_TOO_BIG: return "file too large";
    case BOARD_ERR_IO: return "SD card read or write error";
    case BOARD_ERR_CORRUPT: return "damaged partition table or file system";
    case BOARD_ERR_INPUT_PIN: return "this GPIO cannot be watched";
    case BOARD_ERR_NOT_SIMULATED: return "input levels can be simulated only on the native board and under QEMU";
    case BOARD_ERR_NO_JOURNAL: return "no journal partition on the SD card";
    case BOARD_ERR_READ_ONLY: return "SD card is read-only";
    default: return "unknown error";
    }
}

const char *board_net_strerror(int err)
{
    switch (err) {
    case 0: return "no error";
    case BOARD_NET_ERR_CONTROLLER: return "the network controller did not start";
    case BOARD_NET_ERR_NO_DEVICE: return "no device connected";
    case BOARD_NET_ERR_BUS: return "a connected device did not answer";
    case BOARD_NET_ERR_NO_NIC: return "no network device found";
    case BOARD_NET_ERR_NOT_STARTED: return "the network device did not start";
    default: return "unknown network error";
    }
}
