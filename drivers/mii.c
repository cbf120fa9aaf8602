/*
 * Link resolution from clause 22 advertisements.
 */
#include "drivers/mii.h"

#include "lib/units.h"

#define SPEED_1000 1000u
#define SPEED_100  100u
#define SPEED_10   10u

void mii_resolve_pause(uint16_t advertise, uint16_t lpa, bool *tx, bool *rx)
{
    uint16_t common = (uint16_t)(advertise & lpa);
    *tx = *rx = false;
    if (common & MII_ADV_PAUSE) {
        *tx = *rx = true;
    } else if (common & MII_ADV_PAUSE_ASYM) {
        /* One end symmetric, both asymmetric: the symmetric end receives pause frames, the other sends them. */
        *rx = (advertise & MII_ADV_PAUSE) != 0;
        *tx = !*rx && (lpa & MII_ADV_PAUSE) != 0;
    }
}

bool mii_resolve(uint16_t advertise, uint16_t lpa, uint16_t ctrl1000, uint16_t stat1000, uint32_t *speed_mbps,
                 bool *full_duplex)
{
    uint16_t giga = (uint16_t)(ctrl1000 & (stat1000 >> MII_STAT1000_LP_SHIFT));
    uint16_t common = (uint16_t)(advertise & lpa);
    static const struct {
        uint16_t bit;
        bool giga;
        uint32_t speed;
        bool full;
    } order[] = {
        { MII_CTRL1000_FULL, true, SPEED_1000, true }, { MII_CTRL1000_HALF, true, SPEED_1000, false },
        { MII_ADV_100FULL, false, SPEED_100, true },   { MII_ADV_100HALF, false, SPEED_100, false },
        { MII_ADV_10FULL, false, SPEED_10, true },     { MII_ADV_10HALF, false, SPEED_10, false },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(order); i++) {
        if ((order[i].giga ? giga : common) & order[i].bit) {
            *speed_mbps = order[i].speed;
            *full_duplex = order[i].full;
            return true;
        }
    }
    *speed_mbps = 0;
    *full_duplex = false;
    return false;
}
