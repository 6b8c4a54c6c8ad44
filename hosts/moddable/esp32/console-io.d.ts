declare module 'hosts/moddable/console-io' {
  /** True in builds with the debugger (mcconfig -d): the console is xsbug's then. */
  export function isDebugBuild(): boolean;
}
