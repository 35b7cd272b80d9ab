/* Code page 437 (the IBM PC's character set, what the VGA's text modes
 * show) to Unicode, for showing a text screen on a terminal. */
#ifndef PCVM_CP437_H
#define PCVM_CP437_H

#include <stdint.h>

/* The Unicode code point of a CP437 character as the VGA draws it: 0x01-0x1F
 * and 0x7F are the graphic symbols (smileys, arrows, the house), not
 * control characters; 0x00 is shown as a space. */
uint16_t cp437_to_unicode(uint8_t c);

#endif
