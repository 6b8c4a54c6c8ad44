// The simulator's debugger talks to xsbug over a socket, not over the console's port: the console runs in every build.
export function isDebugBuild(): boolean {
  return false;
}
