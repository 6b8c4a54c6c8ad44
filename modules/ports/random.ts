/** Randomness for references and jitter: the device's hardware RNG, Node's crypto, a seeded one in tests. */
export interface Random {
  /** A uniformly random integer in [0, 2^32). */
  uint32(): number;
}
