// Deterministic test texts: ASCII, Nordic letters, emoji, mixed, at lengths spread over a range.
const ASCII = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&\'()*+,;=% ';
const NORDIC = 'æøåÆØÅäöÄÖüé';
const EMOJI = ['😀', '🥤', '🍫', '✅', '🇳🇴', '👍🏽'];

/** Seeded, so a failing input can be reproduced: the emulator's PRNG for faults. */
export { mulberry32 as random } from '../../tools/emulator/faults';

export type Alphabet = 'ascii' | 'nordic' | 'emoji' | 'mixed';

/** A text of `byteLength` UTF-8 bytes or slightly fewer (a multi-byte character is never split). */
export function makeText(next: () => number, alphabet: Alphabet, byteLength: number): string {
  let text = '';
  let bytes = 0;
  for (;;) {
    const kind = alphabet === 'mixed' ? (['ascii', 'nordic', 'emoji'] as const)[Math.floor(next() * 3)] : alphabet;
    const piece = kind === 'ascii' ? ASCII[Math.floor(next() * ASCII.length)]
      : kind === 'nordic' ? NORDIC[Math.floor(next() * NORDIC.length)]
        : EMOJI[Math.floor(next() * EMOJI.length)];
    const size = utf8Length(piece);
    if (bytes + size > byteLength) return text.length > 0 ? text : 'x';
    text += piece;
    bytes += size;
  }
}

export function utf8Length(text: string): number {
  let length = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    length += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return length;
}
