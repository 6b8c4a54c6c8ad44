// The build settings (mc/config) that exist for tests only. A release build refuses every one of
// them: at build time (tools/firmware/build-esp32.ts, before mcconfig runs) and again at boot
// (main.ts: the machine stays out of service with a configuration error and says which). Pure
// TypeScript with no Moddable import, so the build tools share the same list.

/** Test-only settings by name, with what each one does. */
export const TEST_ONLY_SETTINGS: Readonly<Record<string, string>> = {
  testTiming: 'short sale timings',
  testDriver: 'the simulator test driver',
  serialIn: 'the input file of the simulator\'s embedded:io/serial stand-in',
  watchdogStallMs: 'a test watchdog stall time',
  testClientId: 'build-time test credentials',
  testClientSecret: 'build-time test credentials',
  testSubscriptionKey: 'build-time test credentials',
  testMsn: 'build-time test credentials',
  testBaseUrl: 'build-time test credentials',
};

/** The test-only settings that are set (non-empty) in a settings object, in list order. */
export function testSettingsIn(settings: Record<string, unknown>): string[] {
  return Object.keys(TEST_ONLY_SETTINGS).filter((name) => {
    const value = settings[name];
    return value !== undefined && value !== '' && value !== false;
  });
}

/** Why a release build with these settings is refused, or undefined when none is set. */
export function releaseProblem(settings: Record<string, unknown>): string | undefined {
  const found = testSettingsIn(settings);
  if (found.length === 0) return undefined;
  return `a release build refuses test settings: ${found.map((name) => `${name} (${TEST_ONLY_SETTINGS[name]})`).join(', ')}`;
}
