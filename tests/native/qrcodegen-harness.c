// Encodes each input line (hex of UTF-8 bytes) the way the Moddable SDK's native `qrcode` module
// does for a buffer input (modules/data/qrcode/qrcode.c): qrcodegen_encodeBinary, ECC MEDIUM,
// versions 1..maxVersion, automatic mask, boosted ECC. Prints the size and the modules as 0/1.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "qrcodegen.h"

static int hexValue(char c) {
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	return -1;
}

int main(int argc, char **argv) {
	int maxVersion = argc > 1 ? atoi(argv[1]) : qrcodegen_VERSION_MAX;
	static char line[2 * qrcodegen_BUFFER_LEN_MAX + 4];
	static uint8_t data[qrcodegen_BUFFER_LEN_MAX];
	static uint8_t qr[qrcodegen_BUFFER_LEN_MAX];
	while (fgets(line, sizeof(line), stdin)) {
		size_t length = strcspn(line, "\r\n");
		size_t count = length / 2;
		for (size_t i = 0; i < count; i++) data[i] = (uint8_t)(hexValue(line[2 * i]) * 16 + hexValue(line[2 * i + 1]));
		if (!qrcodegen_encodeBinary(data, count, qr, qrcodegen_Ecc_MEDIUM, qrcodegen_VERSION_MIN, maxVersion, qrcodegen_Mask_AUTO, true)) {
			printf("too-long\n");
			continue;
		}
		int size = qrcodegen_getSize(qr);
		printf("%d ", size);
		for (int y = 0; y < size; y++)
			for (int x = 0; x < size; x++) putchar(qrcodegen_getModule(qr, x, y) ? '1' : '0');
		putchar('\n');
	}
	return 0;
}
