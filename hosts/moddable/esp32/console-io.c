/*
 * Whether this build has the debugger (mcconfig -d): the console UART is xsbug's then, and the
 * provisioning console (hosts/moddable/serial-lines) does not open it.
 */
#include "xsmc.h"
#include "xsHost.h"

void xs_qrvend_debug_build(xsMachine *the)
{
#ifdef mxDebug
	xsmcSetTrue(xsResult);
#else
	xsmcSetFalse(xsResult);
#endif
}
