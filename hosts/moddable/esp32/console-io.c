/*
 * The USB serial console, byte by byte, for the provisioning console (hosts/moddable/serial-lines).
 * ESP_getc/ESP_putc are the console UART the SDK's own `console` module reads; in debug builds the
 * xsbug connection owns that UART, so isDebugBuild() tells the app not to read it there.
 */
#include "xsmc.h"
#include "xsHost.h"

void xs_qrvend_console_receive(xsMachine *the)
{
	int c = ESP_getc();
	if (-1 != c)
		xsmcSetInteger(xsResult, c);
}

void xs_qrvend_console_write(xsMachine *the)
{
	char *text = xsmcToString(xsArg(0));
	while (*text)
		ESP_putc(*text++);
}

void xs_qrvend_debug_build(xsMachine *the)
{
#ifdef mxDebug
	xsmcSetTrue(xsResult);
#else
	xsmcSetFalse(xsResult);
#endif
}
