// Times on screen without Intl or a time zone database: the countdown as mm:ss and the sales log's
// times in the machine's fixed offset.

/** Whole seconds left until `until` (clock ms), rounded up so that 0:00 shows only when time is up. */
export function secondsLeft(until: number, now: number): number {
  return until <= now ? 0 : Math.ceil((until - now) / 1000);
}

/** 600 -> "10:00", 59 -> "00:59"; hours fold into minutes ("75:00"). */
export function formatCountdown(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return `${minutes < 10 ? '0' : ''}${minutes}:${rest < 10 ? '0' : ''}${rest}`;
}

/** Epoch seconds (UTC) as "dd.mm. hh:mm" at `offsetMinutes` east of UTC, as the Nordic countries write dates. */
export function formatLogTime(epochSeconds: number, offsetMinutes: number): string {
  const local = new Date((epochSeconds + offsetMinutes * 60) * 1000);
  return `${two(local.getUTCDate())}.${two(local.getUTCMonth() + 1)}. ${two(local.getUTCHours())}:${two(local.getUTCMinutes())}`;
}

function two(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
