/*
 * Names of lwIP's error codes for the console and the SMTP transport; see net.h. Pure: kept apart from the
 * interface code in net.c so that the transport's tests and fuzz target can name errors without the interface.
 */
#include "net/net.h"

const char *net_strerror(err_t err)
{
    switch (err) {
    case ERR_OK: return "no error";
    case ERR_MEM: return "out of memory";
    case ERR_BUF: return "buffer error";
    case ERR_TIMEOUT: return "timeout";
    case ERR_RTE: return "no route to the host";
    case ERR_INPROGRESS: return "operation in progress";
    case ERR_VAL: return "illegal value";
    case ERR_WOULDBLOCK: return "operation would block";
    case ERR_USE: return "address in use";
    case ERR_ALREADY: return "already connecting";
    case ERR_ISCONN: return "already connected";
    case ERR_CONN: return "not connected";
    case ERR_IF: return "network interface error";
    case ERR_ABRT: return "connection aborted";
    case ERR_RST: return "connection reset";
    case ERR_CLSD: return "connection closed";
    case ERR_ARG: return "illegal argument";
    default: return "unknown lwIP error";
    }
}

const char *net_dns_strerror(err_t err)
{
    switch (err) {
    /* dns_gethostbyname() checks the first server before anything is sent (lwIP core/dns.c). */
    case ERR_VAL: return "no DNS server (none from DHCP, and no DNS in smtp.conf; see `net`)";
    case ERR_ARG: return "not a valid name";
    case ERR_MEM: return "too many lookups at once";
    default: return net_strerror(err);
    }
}
