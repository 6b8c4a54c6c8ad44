// The pay command's pins: the product's Output is a question on the terminal. The controller
// pulses it when it releases the product (after AUTHORIZED with money reserved); the pulse
// resolves when the tester answers yes, and fails on no, on no answer in time, at the end of the
// input or on Ctrl-C, which makes the controller cancel the payment (nothing delivered).
import { createInterface } from 'node:readline';
import type { InputPin, OutputPin, Pins } from 'ports/io';

export interface PromptOptions {
  /** Answer yes without asking (--yes). */
  yes: boolean;
  answerTimeoutMs: number;
  input: NodeJS.ReadableStream;
  /** Prints the question (no newline) or a line. */
  ask(question: string): void;
  say(line: string): void;
}

export class NotDelivered extends Error {
  override name = 'NotDelivered';
}

export class PromptPins implements Pins {
  private abort: ((why: string) => void) | undefined;

  constructor(private readonly options: PromptOptions) {}

  /** Ctrl-C while the question is open: not delivered. */
  interrupt(): boolean {
    if (!this.abort) return false;
    this.abort('interrupted');
    return true;
  }

  output(spec: { pin: number }): OutputPin {
    return { pin: spec.pin, pulse: () => this.ask() };
  }

  input(spec: { pin: number }): InputPin {
    // The pay command's product has no drop sensor; a sensor would only echo the answer.
    return { pin: spec.pin, isActive: () => false, waitForDrop: () => Promise.resolve(true) };
  }

  private ask(): Promise<void> {
    const { yes, answerTimeoutMs, input } = this.options;
    if (yes) {
      this.options.say('delivered? yes (--yes)');
      return Promise.resolve();
    }
    this.options.ask('was the product delivered? [y/N] ');
    return new Promise<void>((resolve, reject) => {
      const rl = createInterface({ input });
      let done = false;
      const finish = (delivered: boolean, why: string) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.abort = undefined;
        rl.close();
        if (delivered) resolve();
        else reject(new NotDelivered(why));
      };
      const timer = setTimeout(() => {
        this.options.say('no answer in time: not delivered');
        finish(false, 'no answer in time');
      }, answerTimeoutMs);
      this.abort = (why) => finish(false, why);
      rl.once('line', (line) => finish(/^\s*y(es)?\s*$/i.test(line), 'answered no'));
      rl.once('close', () => finish(false, 'end of input'));
    });
  }
}
