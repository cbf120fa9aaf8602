/*
 * The console's `iperf`; see iperf_cmd.h.
 *
 * A TCP sink on lwIP's raw API rather than lwIP's own lwiperf app: lwiperf 2.2.1's lwiperf_abort() frees its
 * sessions without closing their PCBs (the listener would keep a pointer to freed memory), so a server that must
 * stop when the command ends cannot be built on it. The iperf 2 client needs nothing back for a TCP test: its
 * header is counted as data, as lwiperf does.
 *
 * Every callback clears itself from the PCB before the PCB is closed or aborted, so none arrives after the command
 * has returned; the state they fill is static, for the one command running.
 */
#include "firmware/iperf_cmd.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "board/board.h"
#include "firmware/cmd_wait.h"
#include "firmware/console.h"
#include "lib/units.h"
#include "lwip/ip_addr.h"
#include "lwip/tcp.h"
#include "net/net.h"

#define BITS_PER_BYTE 8u
#define KBIT_PER_MBIT 1000u

static struct {
    struct tcp_pcb *conn; /* the test's connection while it is open */
    bool started;
    bool finished; /* the client closed its side (the test is complete) */
    bool lost;     /* reset or aborted before that */
    ip_addr_t remote;
    u16_t remote_port;
    uint64_t bytes;
    uint64_t start_us;
    uint64_t end_us;
} sink;

static void conn_detach(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_err(pcb, NULL);
}

static void conn_end(void)
{
    if (sink.conn == NULL) {
        return;
    }
    conn_detach(sink.conn);
    if (tcp_close(sink.conn) != ERR_OK) {
        tcp_abort(sink.conn);
    }
    sink.conn = NULL;
}

static err_t sink_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg;
    (void)err;
    if (p == NULL) {
        sink.end_us = board_uptime_us();
        sink.finished = true;
        conn_end();
        return ERR_OK;
    }
    sink.bytes += p->tot_len;
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

/* lwIP has already freed the PCB when this runs. */
static void sink_err(void *arg, err_t err)
{
    (void)arg;
    (void)err;
    sink.conn = NULL;
    sink.end_us = board_uptime_us();
    sink.lost = true;
}

static err_t sink_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || pcb == NULL) {
        return ERR_VAL;
    }
    if (sink.started) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    sink.started = true;
    sink.conn = pcb;
    sink.remote = pcb->remote_ip;
    sink.remote_port = pcb->remote_port;
    sink.start_us = board_uptime_us();
    tcp_recv(pcb, sink_recv);
    tcp_err(pcb, sink_err);
    return ERR_OK;
}

static bool sink_done(void)
{
    return sink.finished || sink.lost;
}

/* A listening PCB on the port, or NULL after printing why not. */
static struct tcp_pcb *sink_listen(void)
{
    struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (pcb == NULL) {
        printf("iperf: no TCP connection free\n");
        return NULL;
    }
    err_t err = tcp_bind(pcb, IP4_ADDR_ANY, IPERF_CMD_PORT);
    if (err != ERR_OK) {
        printf("iperf: port %u: %s\n", IPERF_CMD_PORT, net_strerror(err));
        tcp_close(pcb);
        return NULL;
    }
    struct tcp_pcb *listener = tcp_listen_with_backlog_and_err(pcb, 1, &err);
    if (listener == NULL) {
        printf("iperf: cannot listen: %s\n", net_strerror(err));
        tcp_close(pcb);
        return NULL;
    }
    tcp_accept(listener, sink_accept);
    return listener;
}

static void print_result(void)
{
    uint64_t us = sink.end_us - sink.start_us;
    uint64_t kbit_s = us == 0 ? 0 : sink.bytes * BITS_PER_BYTE * US_PER_MS / us;
    const char *ending = sink.finished ? "" : sink.lost ? "connection lost; " : "stopped before the client finished; ";
    printf("iperf: %sreceived from %s port %u: %llu bytes in %lu.%03lu s, %lu.%03lu Mbit/s\n", ending,
           ipaddr_ntoa(&sink.remote), sink.remote_port, (unsigned long long)sink.bytes, (unsigned long)(us / US_PER_S),
           (unsigned long)(us % US_PER_S / US_PER_MS), (unsigned long)(kbit_s / KBIT_PER_MBIT),
           (unsigned long)(kbit_s % KBIT_PER_MBIT));
}

static int cmd_iperf(int argc, char **argv)
{
    unsigned wait_s = IPERF_CMD_DEFAULT_WAIT_S;
    if (argc > 2 || (argc == 2 && !console_parse_count(argv[1], IPERF_CMD_MAX_WAIT_S, &wait_s))) {
        printf("usage: iperf [seconds]   (how long to wait for one test, 1..%u, default %u)\n", IPERF_CMD_MAX_WAIT_S,
               IPERF_CMD_DEFAULT_WAIT_S);
        return CONSOLE_ERR_USAGE;
    }
    if (!net_is_up()) {
        printf("iperf: the network is not up (see `net`)\n");
        return CONSOLE_ERR_FAILED;
    }
    struct tcp_pcb *listener = sink_listen();
    if (listener == NULL) {
        return CONSOLE_ERR_FAILED;
    }
    memset(&sink, 0, sizeof sink);
    struct net_status st;
    net_get_status(&st);
    char address[IP4ADDR_STRLEN_MAX];
    printf("iperf: waiting up to %u s for one test on TCP port %u (from a PC: iperf -c %s)\n", wait_s, IPERF_CMD_PORT,
           ip4addr_ntoa_r(&st.address, address, sizeof address));
    cmd_wait_until(sink_done, board_uptime_us() + (uint64_t)wait_s * US_PER_S);
    tcp_close(listener);
    if (!sink_done()) {
        sink.end_us = board_uptime_us();
    }
    bool started = sink.started, finished = sink.finished;
    conn_end();
    if (!started) {
        printf("iperf: no test arrived\n");
        return CONSOLE_ERR_FAILED;
    }
    print_result();
    return finished ? 0 : CONSOLE_ERR_FAILED;
}

/* clang-format off */
static const struct console_cmd iperf_cmds[] = {
    { "iperf", "[seconds]", "receive one iperf 2 TCP test on port 5001 and print the throughput", cmd_iperf },
};
/* clang-format on */

int iperf_cmd_register(void)
{
    return console_register(iperf_cmds, ARRAY_SIZE(iperf_cmds));
}
