/* The built-in 8x8 font (private to the image module). */
#ifndef VH_FONT8X8_H
#define VH_FONT8X8_H
#include <stdint.h>
/* Glyphs for ASCII 32..126 (index code - 32): 8 row bytes, bit 7 = left. */
extern const uint8_t vh__font8x8[95][8];
#endif
