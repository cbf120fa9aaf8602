#include "drivers/storage/fat.h"

#include <stdbool.h>
#include <string.h>

#include "drivers/byteorder.h"
#include "lib/utf8.h"

/* Boot sector (BPB) fields, common part. */
/* clang-format off */
#define BPB_JUMP                 0u
#define   BPB_JUMP_SHORT         0xEBu
#define   BPB_JUMP_NEAR          0xE9u
#define BPB_OEM_NAME             3u
#define BPB_BYTES_PER_SEC        11u
#define BPB_SEC_PER_CLUS         13u
#define BPB_RESERVED_SECS        14u
#define BPB_NUM_FATS             16u
#define BPB_ROOT_ENTRIES         17u
#define BPB_TOTAL_SECS16         19u
#define BPB_MEDIA                21u
#define   BPB_MEDIA_REMOVABLE    0xF0u
#define   BPB_MEDIA_FIXED_MIN    0xF8u
#define BPB_FAT_SIZE16           22u
#define BPB_TOTAL_SECS32         32u
/* FAT32 extension. */
#define BPB32_FAT_SIZE32         36u
#define BPB32_EXT_FLAGS          40u
#define   BPB32_EXT_NO_MIRROR    (1u << 7)
#define   BPB32_EXT_ACTIVE_MASK  0x0Fu
#define BPB32_FS_VERSION         42u
#define BPB32_ROOT_CLUSTER       44u
#define BOOT_SIGNATURE           510u
#define   BOOT_SIGNATURE_0       0x55u
#define   BOOT_SIGNATURE_1       0xAAu
/* clang-format on */

/* exFAT keeps its name where FAT has the OEM name, and zeros where FAT has the BPB. */
static const char exfat_oem_name[8] = { 'E', 'X', 'F', 'A', 'T', ' ', ' ', ' ' };

/* clang-format off */
#define SECTOR_MAX_SIZE          4096u
#define SEC_PER_CLUS_MAX         128u
#define NUM_FATS_MAX             2u
#define DIR_ENTRY_SIZE           32u
#define DIR_ENTRIES_PER_SECTOR   (BLOCKDEV_BLOCK_SIZE / DIR_ENTRY_SIZE)

/* FAT type by cluster count (Microsoft FAT specification): below 4085 it is FAT12. */
#define FAT16_MIN_CLUSTERS       4085u
#define FAT16_MAX_CLUSTERS       65524u
#define FAT32_MAX_CLUSTERS       0x0FFFFFF5u
#define FAT16_ENTRY_SIZE         2u
#define FAT32_ENTRY_SIZE         4u
#define FAT16_BAD                0xFFF7u
#define FAT16_EOC_MIN            0xFFF8u
#define FAT32_ENTRY_MASK         0x0FFFFFFFu
#define FAT32_BAD                0x0FFFFFF7u
#define FAT32_EOC_MIN            0x0FFFFFF8u
#define FIRST_CLUSTER            2u

/* Directory entry fields. */
#define DIR_NAME                 0u
#define   DIR_NAME_LEN           11u
#define   DIR_NAME_BASE_LEN      8u
#define   DIR_NAME_END           0x00u /* this entry and all after it are free */
#define   DIR_NAME_DELETED       0xE5u
#define   DIR_NAME_KANJI_E5      0x05u /* a name whose first byte really is 0xE5 */
#define DIR_ATTR                 11u
#define   ATTR_VOLUME_ID         0x08u
#define   ATTR_DIRECTORY         0x10u
#define   ATTR_LONG_NAME         0x0Fu
#define   ATTR_LONG_NAME_MASK    0x3Fu
#define DIR_CLUSTER_HI           20u
#define DIR_CLUSTER_LO           26u
#define DIR_FILE_SIZE            28u

/* Long name entry fields. */
#define LFN_ORDER                0u
#define   LFN_ORDER_LAST         0x40u
#define   LFN_ORDER_SEQ_MASK     0x1Fu
#define LFN_TYPE                 12u
#define LFN_CHECKSUM             13u
#define LFN_CLUSTER              26u
#define LFN_CHARS_PER_ENTRY      13u
#define LFN_MAX_ENTRIES          (FAT_LFN_UNITS / LFN_CHARS_PER_ENTRY)
#define LFN_TERMINATOR           0x0000u
/* clang-format on */

/* Where the 13 UTF-16 characters of a long name entry sit. */
static const uint8_t lfn_char_offsets[LFN_CHARS_PER_ENTRY] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };

#define NO_SECTOR UINT32_MAX

/* Results of scanning one directory sector, besides negative errors. */
#define SCAN_CONTINUE 0
#define SCAN_FOUND    1
#define SCAN_END      2

struct dir_entry_info {
    uint8_t attr;
    uint32_t cluster;
    uint32_t size;
};

/* A long name being assembled from the entries before a short entry (stored last character first). */
struct lfn_state {
    bool active;
    uint8_t next_seq;  /* sequence number the next entry must carry; 0 once the name is complete */
    uint8_t checksum;  /* of the short name the long name belongs to */
    uint32_t capacity; /* characters the sequence can hold: entries * 13 */
};

/* Position in a cluster chain, with Brent's cycle detection: a chain that comes back to the cluster remembered at
 * the last power-of-two step is a loop. The step bound (cluster count) backs it up. */
struct chain {
    uint32_t cluster;
    uint32_t steps;
    uint32_t mark;
    uint32_t mark_span;
    uint32_t since_mark;
};

static bool is_power_of_two(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

static int read_sectors(struct fat_volume *vol, uint32_t lba, uint32_t count, void *buf)
{
    int err = blockdev_read(vol->dev, lba, count, buf);
    if (err != 0) {
        vol->io_error = err;
        return FAT_ERR_IO;
    }
    return 0;
}

static int check_boot_sector(const uint8_t *b)
{
    if (b[BOOT_SIGNATURE] != BOOT_SIGNATURE_0 || b[BOOT_SIGNATURE + 1] != BOOT_SIGNATURE_1) {
        return FAT_ERR_NOT_FAT;
    }
    if (memcmp(&b[BPB_OEM_NAME], exfat_oem_name, sizeof(exfat_oem_name)) == 0) {
        return FAT_ERR_UNSUPPORTED;
    }
    if (b[BPB_JUMP] != BPB_JUMP_SHORT && b[BPB_JUMP] != BPB_JUMP_NEAR) {
        return FAT_ERR_NOT_FAT;
    }
    uint32_t bytes_per_sector = byteorder_get_le16(&b[BPB_BYTES_PER_SEC]);
    if (bytes_per_sector != BLOCKDEV_BLOCK_SIZE) {
        /* Other sector sizes are legal FAT, but SD cards and their formatters only use 512. */
        bool legal = is_power_of_two(bytes_per_sector) && bytes_per_sector > BLOCKDEV_BLOCK_SIZE &&
                     bytes_per_sector <= SECTOR_MAX_SIZE;
        return legal ? FAT_ERR_UNSUPPORTED : FAT_ERR_BAD_BPB;
    }
    uint32_t media = b[BPB_MEDIA];
    if (!is_power_of_two(b[BPB_SEC_PER_CLUS]) || b[BPB_SEC_PER_CLUS] > SEC_PER_CLUS_MAX ||
        byteorder_get_le16(&b[BPB_RESERVED_SECS]) == 0 || b[BPB_NUM_FATS] == 0 || b[BPB_NUM_FATS] > NUM_FATS_MAX ||
        (media != BPB_MEDIA_REMOVABLE && media < BPB_MEDIA_FIXED_MIN)) {
        return FAT_ERR_BAD_BPB;
    }
    return 0;
}

int fat_mount(struct fat_volume *vol, const struct blockdev *dev, uint32_t first_lba, uint32_t sector_count)
{
    if (vol == NULL || dev == NULL) {
        return FAT_ERR_INVALID_ARG;
    }
    memset(vol, 0, sizeof(*vol));
    vol->fat_cache_lba = NO_SECTOR;
    if (sector_count == 0 || first_lba >= dev->block_count || sector_count > dev->block_count - first_lba) {
        return FAT_ERR_INVALID_ARG;
    }
    vol->dev = dev;

    const uint8_t *b = vol->sector;
    int err = read_sectors(vol, first_lba, 1, vol->sector);
    if (err == 0) {
        err = check_boot_sector(b);
    }
    if (err != 0) {
        return err;
    }

    uint32_t sectors_per_cluster = b[BPB_SEC_PER_CLUS];
    uint32_t reserved = byteorder_get_le16(&b[BPB_RESERVED_SECS]);
    uint32_t num_fats = b[BPB_NUM_FATS];
    uint32_t root_entries = byteorder_get_le16(&b[BPB_ROOT_ENTRIES]);
    uint32_t total = byteorder_get_le16(&b[BPB_TOTAL_SECS16]);
    if (total == 0) {
        total = byteorder_get_le32(&b[BPB_TOTAL_SECS32]);
    }
    if (total == 0 || total > sector_count) {
        return FAT_ERR_BAD_BPB;
    }

    /* FAT32 is told apart by its layout (no 16-bit FAT size, no fixed root directory), as Linux and mkfs.fat do,
     * so that small FAT32 volumes mkfs.fat makes still mount. */
    enum fat_type type;
    uint32_t fat_sectors = byteorder_get_le16(&b[BPB_FAT_SIZE16]);
    if (fat_sectors == 0) {
        type = FAT_TYPE_FAT32;
        fat_sectors = byteorder_get_le32(&b[BPB32_FAT_SIZE32]);
        if (root_entries != 0 || fat_sectors == 0) {
            return FAT_ERR_BAD_BPB;
        }
        if (byteorder_get_le16(&b[BPB32_FS_VERSION]) != 0) {
            return FAT_ERR_UNSUPPORTED;
        }
    } else {
        type = FAT_TYPE_FAT16;
        if (root_entries == 0) {
            return FAT_ERR_BAD_BPB;
        }
    }

    uint32_t root_sectors = (root_entries * DIR_ENTRY_SIZE + BLOCKDEV_BLOCK_SIZE - 1) / BLOCKDEV_BLOCK_SIZE;
    uint64_t meta = (uint64_t)reserved + (uint64_t)num_fats * fat_sectors + root_sectors;
    if (meta >= total) {
        return FAT_ERR_BAD_BPB;
    }
    uint32_t cluster_count = (total - (uint32_t)meta) / sectors_per_cluster;
    uint32_t entry_size = type == FAT_TYPE_FAT32 ? FAT32_ENTRY_SIZE : FAT16_ENTRY_SIZE;
    uint64_t fat_capacity = (uint64_t)fat_sectors * (BLOCKDEV_BLOCK_SIZE / entry_size);
    if (cluster_count == 0 || fat_capacity < (uint64_t)cluster_count + FIRST_CLUSTER) {
        return FAT_ERR_BAD_BPB;
    }
    if (type == FAT_TYPE_FAT16) {
        if (cluster_count < FAT16_MIN_CLUSTERS) {
            return FAT_ERR_UNSUPPORTED; /* FAT12 */
        }
        if (cluster_count > FAT16_MAX_CLUSTERS) {
            return FAT_ERR_BAD_BPB;
        }
    } else if (cluster_count > FAT32_MAX_CLUSTERS) {
        return FAT_ERR_BAD_BPB;
    }

    uint32_t fat_lba = first_lba + reserved;
    uint32_t root_cluster = 0;
    if (type == FAT_TYPE_FAT32) {
        uint32_t ext_flags = byteorder_get_le16(&b[BPB32_EXT_FLAGS]);
        if (ext_flags & BPB32_EXT_NO_MIRROR) {
            uint32_t active = ext_flags & BPB32_EXT_ACTIVE_MASK;
            if (active >= num_fats) {
                return FAT_ERR_BAD_BPB;
            }
            fat_lba += active * fat_sectors;
        }
        root_cluster = byteorder_get_le32(&b[BPB32_ROOT_CLUSTER]);
        if (root_cluster < FIRST_CLUSTER || root_cluster - FIRST_CLUSTER >= cluster_count) {
            return FAT_ERR_BAD_BPB;
        }
    }

    /* meta < total <= sector_count and first_lba + sector_count fits the device: none of these sums overflow. */
    vol->type = type;
    vol->first_lba = first_lba;
    vol->total_sectors = total;
    vol->sectors_per_cluster = sectors_per_cluster;
    vol->fat_lba = fat_lba;
    vol->fat_sectors = fat_sectors;
    vol->root_lba = first_lba + reserved + num_fats * fat_sectors;
    vol->root_sectors = root_sectors;
    vol->root_cluster = root_cluster;
    vol->data_lba = vol->root_lba + root_sectors;
    vol->cluster_count = cluster_count;
    return 0;
}

static bool cluster_in_range(const struct fat_volume *vol, uint32_t cluster)
{
    return cluster >= FIRST_CLUSTER && cluster - FIRST_CLUSTER < vol->cluster_count;
}

static uint32_t cluster_lba(const struct fat_volume *vol, uint32_t cluster)
{
    return vol->data_lba + (cluster - FIRST_CLUSTER) * vol->sectors_per_cluster;
}

/* Reads the FAT entry of cluster (in range). Sets *end for an end-of-chain mark; any other value that is not a
 * cluster of this volume is FAT_ERR_BAD_CLUSTER. */
static int fat_get_next(struct fat_volume *vol, uint32_t cluster, uint32_t *next, bool *end)
{
    uint32_t entry_size = vol->type == FAT_TYPE_FAT32 ? FAT32_ENTRY_SIZE : FAT16_ENTRY_SIZE;
    uint32_t offset = cluster * entry_size;
    uint32_t lba = vol->fat_lba + offset / BLOCKDEV_BLOCK_SIZE;
    if (lba != vol->fat_cache_lba) {
        int err = read_sectors(vol, lba, 1, vol->fat_cache);
        if (err != 0) {
            vol->fat_cache_lba = NO_SECTOR;
            return err;
        }
        vol->fat_cache_lba = lba;
    }
    const uint8_t *p = &vol->fat_cache[offset % BLOCKDEV_BLOCK_SIZE];
    uint32_t value;
    uint32_t eoc_min;
    if (vol->type == FAT_TYPE_FAT32) {
        value = byteorder_get_le32(p) & FAT32_ENTRY_MASK;
        eoc_min = FAT32_EOC_MIN;
    } else {
        value = byteorder_get_le16(p);
        eoc_min = FAT16_EOC_MIN;
    }
    *end = value >= eoc_min;
    *next = value;
    if (!*end && !cluster_in_range(vol, value)) {
        return FAT_ERR_BAD_CLUSTER; /* free, reserved, bad (0xFFF7 / 0x0FFFFFF7) or past the last cluster */
    }
    return 0;
}

static int chain_start(const struct fat_volume *vol, struct chain *ch, uint32_t first)
{
    if (!cluster_in_range(vol, first)) {
        return FAT_ERR_BAD_CLUSTER;
    }
    *ch = (struct chain){ .cluster = first, .steps = 1, .mark = first, .mark_span = 1, .since_mark = 0 };
    return 0;
}

/* Moves to the next cluster: returns 1, 0 at the end of the chain, or a negative error. */
static int chain_advance(struct fat_volume *vol, struct chain *ch)
{
    uint32_t next;
    bool end;
    int err = fat_get_next(vol, ch->cluster, &next, &end);
    if (err != 0) {
        return err;
    }
    if (end) {
        return 0;
    }
    if (next == ch->mark || ch->steps >= vol->cluster_count) {
        return FAT_ERR_CHAIN_LOOP;
    }
    if (++ch->since_mark == ch->mark_span) {
        ch->mark = next;
        ch->mark_span *= 2;
        ch->since_mark = 0;
    }
    ch->cluster = next;
    ch->steps++;
    return 1;
}

static uint16_t fold_ascii(uint16_t c)
{
    return (c >= 'a' && c <= 'z') ? (uint16_t)(c - 'a' + 'A') : c;
}

static uint8_t short_name_checksum(const uint8_t *name)
{
    uint8_t sum = 0;
    for (uint32_t i = 0; i < DIR_NAME_LEN; i++) {
        sum = (uint8_t)(((sum & 1u) << 7) + (sum >> 1) + name[i]);
    }
    return sum;
}

static void lfn_add_entry(struct fat_volume *vol, struct lfn_state *st, const uint8_t *e)
{
    uint8_t order = e[LFN_ORDER];
    uint8_t seq = order & LFN_ORDER_SEQ_MASK;

    if (order & LFN_ORDER_LAST) {
        /* First entry on disk, last part of the name: starts a new name, dropping any unfinished one. */
        st->active = seq >= 1 && seq <= LFN_MAX_ENTRIES;
        st->next_seq = seq;
        st->checksum = e[LFN_CHECKSUM];
        st->capacity = (uint32_t)seq * LFN_CHARS_PER_ENTRY;
    } else if (!st->active || seq != st->next_seq || e[LFN_CHECKSUM] != st->checksum) {
        st->active = false;
    }
    if (st->active && (e[LFN_TYPE] != 0 || byteorder_get_le16(&e[LFN_CLUSTER]) != 0)) {
        st->active = false;
    }
    if (!st->active || st->next_seq == 0) {
        st->active = false;
        return;
    }
    uint16_t *dst = &vol->lfn[(uint32_t)(seq - 1) * LFN_CHARS_PER_ENTRY];
    for (uint32_t i = 0; i < LFN_CHARS_PER_ENTRY; i++) {
        dst[i] = byteorder_get_le16(&e[lfn_char_offsets[i]]);
    }
    st->next_seq--;
}

static bool lfn_matches(const struct fat_volume *vol, const struct lfn_state *st, size_t name_len)
{
    uint32_t len = 0;
    while (len < st->capacity && vol->lfn[len] != LFN_TERMINATOR) {
        len++;
    }
    if (len == 0 || len > FAT_MAX_NAME || len != name_len) {
        return false;
    }
    for (uint32_t i = 0; i < len; i++) {
        if (fold_ascii(vol->lfn[i]) != fold_ascii(vol->component[i])) {
            return false;
        }
    }
    return true;
}

/* Compares "BASE.EXT" (padding removed, "." only when there is an extension) with the component. */
static bool short_name_matches(const struct fat_volume *vol, const uint8_t *name, size_t name_len)
{
    uint8_t text[DIR_NAME_LEN + 1];
    size_t len = 0;
    size_t base_len = DIR_NAME_BASE_LEN;
    size_t ext_len = DIR_NAME_LEN - DIR_NAME_BASE_LEN;

    while (base_len > 0 && name[base_len - 1] == ' ') {
        base_len--;
    }
    while (ext_len > 0 && name[DIR_NAME_BASE_LEN + ext_len - 1] == ' ') {
        ext_len--;
    }
    for (size_t i = 0; i < base_len; i++) {
        text[len++] = name[i];
    }
    if (len > 0 && text[0] == DIR_NAME_KANJI_E5) {
        text[0] = DIR_NAME_DELETED;
    }
    if (ext_len > 0) {
        text[len++] = '.';
        for (size_t i = 0; i < ext_len; i++) {
            text[len++] = name[DIR_NAME_BASE_LEN + i];
        }
    }
    if (len == 0 || len != name_len) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (fold_ascii(text[i]) != fold_ascii(vol->component[i])) {
            return false;
        }
    }
    return true;
}

/* Looks for the component in one directory sector. *entries counts the entries seen in this directory. */
static int scan_dir_sector(struct fat_volume *vol, uint32_t lba, struct lfn_state *st, size_t name_len,
                           uint32_t *entries, struct dir_entry_info *out)
{
    int err = read_sectors(vol, lba, 1, vol->sector);
    if (err != 0) {
        return err;
    }
    for (uint32_t i = 0; i < DIR_ENTRIES_PER_SECTOR; i++) {
        const uint8_t *e = &vol->sector[i * DIR_ENTRY_SIZE];
        if (++*entries > FAT_MAX_DIR_ENTRIES) {
            return FAT_ERR_BAD_DIR;
        }
        if (e[DIR_NAME] == DIR_NAME_END) {
            return SCAN_END;
        }
        if (e[DIR_NAME] == DIR_NAME_DELETED) {
            st->active = false;
            continue;
        }
        uint8_t attr = e[DIR_ATTR];
        if ((attr & ATTR_LONG_NAME_MASK) == ATTR_LONG_NAME) {
            lfn_add_entry(vol, st, e);
            continue;
        }
        if (attr & ATTR_VOLUME_ID) {
            st->active = false;
            continue;
        }
        /* A long name only belongs to this entry if it is complete and was made for exactly this short name. */
        bool match = st->active && st->next_seq == 0 && st->checksum == short_name_checksum(&e[DIR_NAME]) &&
                     lfn_matches(vol, st, name_len);
        st->active = false;
        if (match || short_name_matches(vol, &e[DIR_NAME], name_len)) {
            out->attr = attr;
            out->cluster = byteorder_get_le16(&e[DIR_CLUSTER_LO]);
            if (vol->type == FAT_TYPE_FAT32) {
                out->cluster |= (uint32_t)byteorder_get_le16(&e[DIR_CLUSTER_HI]) << 16;
            }
            out->size = byteorder_get_le32(&e[DIR_FILE_SIZE]);
            return SCAN_FOUND;
        }
    }
    return SCAN_CONTINUE;
}

/* Finds vol->component (name_len units) in the directory starting at dir_cluster (0: the root directory). */
static int dir_find(struct fat_volume *vol, uint32_t dir_cluster, size_t name_len, struct dir_entry_info *out)
{
    struct lfn_state st = { 0 };
    uint32_t entries = 0;
    int ret;

    if (dir_cluster == 0 && vol->type == FAT_TYPE_FAT16) {
        for (uint32_t s = 0; s < vol->root_sectors; s++) {
            ret = scan_dir_sector(vol, vol->root_lba + s, &st, name_len, &entries, out);
            if (ret != SCAN_CONTINUE) {
                return ret == SCAN_FOUND ? 0 : (ret == SCAN_END ? FAT_ERR_NOT_FOUND : ret);
            }
        }
        return FAT_ERR_NOT_FOUND;
    }

    struct chain ch;
    ret = chain_start(vol, &ch, dir_cluster == 0 ? vol->root_cluster : dir_cluster);
    while (ret == 0) {
        uint32_t lba = cluster_lba(vol, ch.cluster);
        for (uint32_t s = 0; s < vol->sectors_per_cluster; s++) {
            ret = scan_dir_sector(vol, lba + s, &st, name_len, &entries, out);
            if (ret != SCAN_CONTINUE) {
                return ret == SCAN_FOUND ? 0 : (ret == SCAN_END ? FAT_ERR_NOT_FOUND : ret);
            }
        }
        ret = chain_advance(vol, &ch);
        if (ret == 0) {
            return FAT_ERR_NOT_FOUND;
        }
        if (ret == 1) {
            ret = 0;
        }
    }
    return ret;
}

/* Decodes the UTF-8 path component [p, end) into vol->component as UTF-16. Returns its length or an error. */
static int decode_component(struct fat_volume *vol, const char *p, const char *end)
{
    size_t len = 0;
    const uint8_t *s = (const uint8_t *)p;
    const uint8_t *e = (const uint8_t *)end;

    while (s < e) {
        uint32_t c;
        size_t n = utf8_decode(s, (size_t)(e - s), &c);
        if (n == 0) {
            return FAT_ERR_BAD_NAME; /* not UTF-8: overlong, a lone surrogate, past U+10FFFF, cut short (utf8.h) */
        }
        s += n;
        /* Long names are UTF-16: characters outside the BMP take a surrogate pair. */
        size_t units = c >= 0x10000u ? 2 : 1;
        if (len + units > FAT_MAX_NAME) {
            return FAT_ERR_BAD_NAME;
        }
        if (units == 2) {
            c -= 0x10000u;
            vol->component[len++] = (uint16_t)(0xD800u + (c >> 10));
            vol->component[len++] = (uint16_t)(0xDC00u + (c & 0x3FFu));
        } else {
            vol->component[len++] = (uint16_t)c;
        }
    }
    return len == 0 ? FAT_ERR_BAD_NAME : (int)len;
}

static int lookup(struct fat_volume *vol, const char *path, struct dir_entry_info *info)
{
    uint32_t dir = 0;
    const char *p = path;

    if (*p == '/') {
        p++;
    }
    for (;;) {
        const char *end = p;
        while (*end != '\0' && *end != '/') {
            end++;
        }
        int len = decode_component(vol, p, end);
        if (len < 0) {
            return len;
        }
        int err = dir_find(vol, dir, (size_t)len, info);
        if (err != 0) {
            return err;
        }
        if (*end == '\0') {
            return 0;
        }
        if (!(info->attr & ATTR_DIRECTORY)) {
            return FAT_ERR_NOT_DIR;
        }
        /* ".." of a first-level directory says 0: the root, whatever the FAT type. */
        dir = info->cluster;
        p = end + 1;
    }
}

int fat_read_file(struct fat_volume *vol, const char *path, void *buf, size_t buf_size, size_t *out_len)
{
    if (out_len != NULL) {
        *out_len = 0;
    }
    if (vol == NULL || path == NULL || out_len == NULL || (buf == NULL && buf_size != 0)) {
        return FAT_ERR_INVALID_ARG;
    }
    if (vol->type == FAT_TYPE_NONE) {
        return FAT_ERR_NOT_MOUNTED;
    }

    struct dir_entry_info info;
    int err = lookup(vol, path, &info);
    if (err != 0) {
        return err;
    }
    if (info.attr & ATTR_DIRECTORY) {
        return FAT_ERR_IS_DIR;
    }
    if (info.size > buf_size) {
        *out_len = info.size;
        return FAT_ERR_TOO_BIG;
    }
    if (info.size == 0) {
        return 0;
    }

    uint32_t cluster_bytes = vol->sectors_per_cluster * BLOCKDEV_BLOCK_SIZE;
    uint64_t clusters_needed = ((uint64_t)info.size + cluster_bytes - 1) / cluster_bytes;
    if (info.cluster == 0 || clusters_needed > vol->cluster_count) {
        return FAT_ERR_CHAIN_LENGTH;
    }

    struct chain ch;
    err = chain_start(vol, &ch, info.cluster);
    if (err != 0) {
        return err;
    }
    uint8_t *dst = buf;
    uint32_t remaining = info.size;
    for (;;) {
        uint32_t lba = cluster_lba(vol, ch.cluster);
        uint32_t whole = remaining / BLOCKDEV_BLOCK_SIZE;
        if (whole > vol->sectors_per_cluster) {
            whole = vol->sectors_per_cluster;
        }
        if (whole > 0) {
            err = read_sectors(vol, lba, whole, dst);
            if (err != 0) {
                return err;
            }
            dst += whole * BLOCKDEV_BLOCK_SIZE;
            remaining -= whole * BLOCKDEV_BLOCK_SIZE;
        }
        if (whole < vol->sectors_per_cluster && remaining > 0) {
            /* The file ends inside this sector: less than a sector is left. */
            err = read_sectors(vol, lba + whole, 1, vol->sector);
            if (err != 0) {
                return err;
            }
            memcpy(dst, vol->sector, remaining);
            remaining = 0;
        }
        err = chain_advance(vol, &ch);
        if (remaining == 0) {
            break;
        }
        if (err <= 0) {
            return err == 0 ? FAT_ERR_CHAIN_LENGTH : err; /* the chain ends before the data does */
        }
    }
    if (err != 0) {
        return err < 0 ? err : FAT_ERR_CHAIN_LENGTH; /* the chain goes on past the data */
    }
    *out_len = info.size;
    return 0;
}

const char *fat_strerror(int err)
{
    switch (err) {
    case 0: return "success";
    case FAT_ERR_INVALID_ARG: return "invalid argument";
    case FAT_ERR_IO: return "storage read error";
    case FAT_ERR_NOT_FAT: return "not a FAT file system";
    case FAT_ERR_UNSUPPORTED: return "unsupported file system (FAT12, exFAT or sectors other than 512 bytes)";
    case FAT_ERR_BAD_BPB: return "corrupt FAT boot sector";
    case FAT_ERR_BAD_CLUSTER: return "corrupt FAT: invalid cluster in a chain";
    case FAT_ERR_CHAIN_LOOP: return "corrupt FAT: cluster chain loops";
    case FAT_ERR_CHAIN_LENGTH: return "corrupt FAT: cluster chain does not match the file size";
    case FAT_ERR_BAD_DIR: return "corrupt FAT: directory too large";
    case FAT_ERR_NOT_FOUND: return "no such file or directory";
    case FAT_ERR_NOT_DIR: return "not a directory";
    case FAT_ERR_IS_DIR: return "is a directory";
    case FAT_ERR_TOO_BIG: return "file larger than the buffer";
    case FAT_ERR_BAD_NAME: return "invalid file name";
    case FAT_ERR_NOT_MOUNTED: return "volume not mounted";
    default: return "unknown FAT error";
    }
}
