/*
 * byteorder.h - fixed-endian integers in byte buffers: on-disk structures (MBR, FAT), USB descriptors and
 * requests, chip frame headers, device-tree cells.
 *
 * Byte by byte, so the buffer needs no alignment and the result does not depend on the CPU's byte order. No state;
 * any context may call these.
 */
#ifndef DRIVERS_BYTEORDER_H
#define DRIVERS_BYTEORDER_H

#include <stdint.h>

static inline uint16_t byteorder_get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t byteorder_get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint32_t byteorder_get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void byteorder_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void byteorder_put_le32(uint8_t *p, uint32_t v)
{
    byteorder_put_le16(p, (uint16_t)v);
    byteorder_put_le16(p + 2, (uint16_t)(v >> 16));
}

static inline uint64_t byteorder_get_le64(const uint8_t *p)
{
    return byteorder_get_le32(p) | ((uint64_t)byteorder_get_le32(p + 4) << 32);
}

static inline void byteorder_put_le64(uint8_t *p, uint64_t v)
{
    byteorder_put_le32(p, (uint32_t)v);
    byteorder_put_le32(p + 4, (uint32_t)(v >> 32));
}

#endif /* DRIVERS_BYTEORDER_H */
