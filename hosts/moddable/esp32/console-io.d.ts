declare module 'hosts/moddable/console-io' {
  /** The next byte the console received, or undefined when none is waiting. */
  export function receive(): number | undefined;
  /** Sends the text's bytes to the console. */
  export function write(text: string): void;
  /** True in builds with the debugger (mcconfig -d): the console is xsbug's then. */
  export function isDebugBuild(): boolean;
}
