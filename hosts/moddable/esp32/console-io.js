// Host function of console-io.c (see there).
function isDebugBuild() @ "xs_qrvend_debug_build";

export { isDebugBuild };
