/*
 * netif_glue.c - lwIP netif over a struct netdev; see netif_glue.h.
 */
#include "net/netif_glue.h"

#include <string.h>

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "lwip/snmp.h"
#include "lwip/stats.h"
#include "netif/ethernet.h"

/* Ethernet payload: what lwIP may put in one frame (the device's limit minus header and VLAN tag). */
#define NETIF_GLUE_MTU   1500u
#define NETIF_GLUE_NAME0 'e'
#define NETIF_GLUE_NAME1 'n'

/* A received frame goes straight into the pool pbuf lwIP gets, as in lwIP's ethernetif template: one pool buffer
 * must hold the largest frame (net/lwipopts.h). */
_Static_assert(PBUF_POOL_BUFSIZE >= NETDEV_MAX_FRAME, "PBUF_POOL_BUFSIZE below NETDEV_MAX_FRAME");

/* A gathered pbuf chain on its way out; a received frame that is dropped because the pool is empty. Both are free
 * again before the function using them returns. */
static uint8_t tx_frame[NETDEV_MAX_FRAME];
static uint8_t rx_frame[NETDEV_MAX_FRAME];

static err_t glue_linkoutput(struct netif *netif, struct pbuf *p)
{
    struct netdev *nd = netif->state;
    const void *frame = p->payload;
    if (p->tot_len > sizeof tx_frame) {
        LINK_STATS_INC(link.lenerr);
        return ERR_BUF;
    }
    if (p->next != NULL) {
        pbuf_copy_partial(p, tx_frame, p->tot_len, 0);
        frame = tx_frame;
    }
    int err = netdev_send(nd, frame, p->tot_len);
    if (err != 0) {
        /* Not ERR_MEM: lwIP would keep the segment queued for a device that failed or is gone; TCP retransmits. */
        LINK_STATS_INC(link.err);
        return ERR_IF;
    }
    LINK_STATS_INC(link.xmit);
    MIB2_STATS_NETIF_ADD(netif, ifoutoctets, p->tot_len);
    return ERR_OK;
}

static err_t glue_init(struct netif *netif)
{
    struct netdev *nd = netif->state;
    netif->name[0] = NETIF_GLUE_NAME0;
    netif->name[1] = NETIF_GLUE_NAME1;
    netif->output = etharp_output;
    netif->linkoutput = glue_linkoutput;
    netif->mtu = NETIF_GLUE_MTU;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(netif->hwaddr, nd->mac, ETH_HWADDR_LEN);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    return ERR_OK;
}

err_t netif_glue_add(struct netif *netif, struct netdev *nd, const ip4_addr_t *ip, const ip4_addr_t *netmask,
                     const ip4_addr_t *gw)
{
    if (netif_add(netif, ip, netmask, gw, nd, glue_init, netif_input) == NULL) {
        return ERR_IF;
    }
    netif_set_up(netif);
    if (netdev_link_up(nd)) {
        netif_set_link_up(netif);
    }
    return ERR_OK;
}

struct netdev *netif_glue_device(const struct netif *netif)
{
    return netif->state;
}

static void follow_link(struct netif *netif, struct netdev *nd)
{
    bool up = netdev_link_up(nd);
    if (up && !netif_is_link_up(netif)) {
        netif_set_link_up(netif);
    } else if (!up && netif_is_link_up(netif)) {
        netif_set_link_down(netif);
    }
}

int netif_glue_poll(struct netif *netif)
{
    struct netdev *nd = netif->state;
    netdev_poll(nd);
    follow_link(netif, nd);

    int passed = 0;
    while (passed < NETIF_GLUE_RX_BUDGET) {
        struct pbuf *p = pbuf_alloc(PBUF_RAW, NETDEV_MAX_FRAME, PBUF_POOL);
        int len = netdev_receive(nd, p != NULL ? p->payload : rx_frame, NETDEV_MAX_FRAME);
        if (len <= 0) {
            if (p != NULL) {
                pbuf_free(p);
            }
            break;
        }
        passed++;
        LINK_STATS_INC(link.recv);
        if (p == NULL) {
            /* Pool exhausted: the frame is lost like on a NIC with a full ring; lwIP counts it. */
            LINK_STATS_INC(link.memerr);
            LINK_STATS_INC(link.drop);
            continue;
        }
        pbuf_realloc(p, (u16_t)len);
        MIB2_STATS_NETIF_ADD(netif, ifinoctets, p->tot_len);
        if (netif->input(p, netif) != ERR_OK) {
            LINK_STATS_INC(link.drop);
            pbuf_free(p);
        }
    }
    return passed;
}
