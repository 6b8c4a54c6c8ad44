// The pay command's terminal: lines that stay, one status line rewritten in place (on a TTY), and
// a question left open for the answer.
export class Terminal {
  private statusShown = '';

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  /** A line that stays. */
  print(line: string): void {
    this.endStatus();
    this.out.write(`${line}\n`);
  }

  /** The live status line (rewritten in place on a terminal; each change a line elsewhere). */
  status(line: string): void {
    if (line === this.statusShown) return;
    if (this.tty) this.out.write(`\r\x1b[2K${line}`);
    else this.out.write(`${line}\n`);
    this.statusShown = line;
  }

  /** A question; the answer is typed on the same line. */
  ask(question: string): void {
    this.endStatus();
    this.out.write(question);
  }

  endStatus(): void {
    if (this.tty && this.statusShown) this.out.write('\n');
    this.statusShown = '';
  }
}

export function money(value: number, currency: string): string {
  return `${(value / 100).toFixed(2)} ${currency}`;
}
