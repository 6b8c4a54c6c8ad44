// Host functions of console-io.c (see there).
function receive() @ "xs_qrvend_console_receive";
function write(text) @ "xs_qrvend_console_write";
function isDebugBuild() @ "xs_qrvend_debug_build";

export { receive, write, isDebugBuild };
