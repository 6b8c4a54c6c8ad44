// The few XS platform macros qrcodegen.c uses, mapped to the C library, so the SDK's encoder
// builds alone on the desktop (on the device they come from the XS platform header).
#include <string.h>
#define c_strlen strlen
#define c_strchr strchr
#define c_memcpy memcpy
#define c_memmove memmove
#define c_read8(pointer) (*(const unsigned char *)(pointer))
// Flash-placement attributes on the ESP32; nothing on the desktop.
#define ICACHE_XS6RO_ATTR
#define ICACHE_XS6RO2_ATTR
