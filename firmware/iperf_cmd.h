/*
 * iperf_cmd.h - the console's `iperf`: receives one iperf 2 TCP test on port 5001 (from a PC: `iperf -c ADDRESS`)
 * and prints how many bytes arrived, over how long and at what rate, measured by the firmware's own clock from the
 * connection's acceptance to the client's FIN. It tells whether a slow mail submission is the link's fault;
 * bench/net-boot uses it for the TCP receive figure over QEMU's usb-net.
 *
 * The port is open only while the command runs (one test, the wait below, or Ctrl-C), so nothing stays listening
 * on an alarm device; a second client during a test is refused. Register once at start-up, from the main loop,
 * after net_init().
 */
#ifndef FIRMWARE_IPERF_CMD_H
#define FIRMWARE_IPERF_CMD_H

#define IPERF_CMD_PORT 5001u
/* How long `iperf` waits for a client to connect and finish, unless told otherwise on the command line. */
#define IPERF_CMD_DEFAULT_WAIT_S 60u
#define IPERF_CMD_MAX_WAIT_S     3600u

/* Adds `iperf` to the console; returns console_register()'s result. */
int iperf_cmd_register(void);

#endif /* FIRMWARE_IPERF_CMD_H */
