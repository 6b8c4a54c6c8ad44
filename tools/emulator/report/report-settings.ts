// The report's two knobs: how long after it happened an entry shows (the real report trails the
// other APIs, by seconds normally and by hours at worst), and how many items a page holds.
export const DEFAULT_REPORT_LAG_SECONDS = 2 * 3600;
/** The guide: "Right now this is 1000 rows." */
export const DEFAULT_REPORT_PAGE_SIZE = 1000;

export class ReportSettings {
  lagSeconds: number;
  pageSize: number;

  constructor(private readonly defaults: { lagSeconds?: number; pageSize?: number } = {}) {
    this.lagSeconds = ReportSettings.checkLag(defaults.lagSeconds ?? DEFAULT_REPORT_LAG_SECONDS);
    this.pageSize = ReportSettings.checkPageSize(defaults.pageSize ?? DEFAULT_REPORT_PAGE_SIZE);
  }

  setLag(seconds: number | undefined): void {
    this.lagSeconds = ReportSettings.checkLag(seconds ?? this.defaults.lagSeconds ?? DEFAULT_REPORT_LAG_SECONDS);
  }

  reset(): void {
    this.setLag(undefined);
  }

  static checkLag(seconds: number): number {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`the report lag must be a number of seconds >= 0, not ${seconds}`);
    return seconds;
  }

  static checkPageSize(size: number): number {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`the report page size must be an integer >= 1, not ${size}`);
    return size;
  }
}
