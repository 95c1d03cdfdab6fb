/* CRC-32 (IEEE 802.3, reflected, as zlib) for the persistent bank's structures. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* Continues a CRC over len bytes: start with crc = 0; returns the new CRC. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);
