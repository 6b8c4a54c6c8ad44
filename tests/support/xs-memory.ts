// The XS engine's memory counters, read from JavaScript running on the project's xsnap build
// (tools/xsnap/build.mjs compiles tools/xsnap/xs-memory.c into it). Import this from any bundle
// run with runXs/runXsFile; on Node the globals do not exist (see xsMemoryAvailable).
//
// Units. "Slots" are XS heap slots: an object takes one plus one per own property, a closure
// about ten, a typed array about seven; the engine also takes them for its own temporary lists
// (TypedArray join takes two per element). A slot is 16 bytes on the ESP32 and 32 bytes on 64-bit
// xsnap; the device's default heap is 4,928 slots. "Chunk bytes" are XS chunk memory: string
// characters, ArrayBuffer contents, the elements of plain Arrays, counted as XS counts them (each
// chunk's header and rounding to the pointer size included, so the same chunk is a few bytes
// smaller on the ESP32 than here, and an Array's elements, slots themselves, half the size). The
// device's default chunk heap is 78,848 bytes. Stack slots (locals, arguments, temporaries) are
// not heap slots and are not counted.
//
// The figures (all counted since the machine started, i.e. including the engine's own setup):
//   slotsAllocated, chunkBytesAllocated: cumulative, never decrease, not affected by garbage
//     collection. The difference between two readings is exactly what the code between them
//     allocated; what xsMemory() itself allocates for its result is left out of every reading,
//     so back-to-back readings differ by 0.
//   slotsLive, chunkBytesLive: in use now, which between collections includes garbage not yet
//     collected. Call xsGc() first for "live after GC", the memory really retained.
//   slotsPeak, chunkBytesPeak: the highest live figure since the machine started or since the
//     last xsResetPeak(), garbage not yet collected included. xsnap starts with a large heap and
//     rarely collects, so over a short run the peak approaches everything allocated; on the
//     device, which collects whenever its small heap runs out, the peak stays near live-after-GC.
//     For a device-like peak, call xsGc() then xsResetPeak() before the code, and read live after
//     xsGc() at the points of interest.
// Determinism: for the same bundle, engine build and input, every figure is the same on every
// run. The allocated deltas depend only on the code measured; the live and peak figures also
// depend on when the engine happened to collect, i.e. on everything the run did before.
//
// Reading a report allocates a small object (seven slots, and the property names on the first
// call) that counts in live and peak until collected, but never in the allocated figures.

export interface XsMemory {
  readonly slotsAllocated: number;
  readonly chunkBytesAllocated: number;
  readonly slotsLive: number;
  readonly chunkBytesLive: number;
  readonly slotsPeak: number;
  readonly chunkBytesPeak: number;
}

export interface XsAllocation {
  readonly slots: number;
  readonly chunkBytes: number;
}

// Host functions registered on the global object by the project's xsnap build.
declare function xsMemory(): XsMemory;
declare function xsResetPeak(): void;
declare function xsGc(): void;

/** True on the project's xsnap build; false on Node or an engine without the counters. */
export function xsMemoryAvailable(): boolean {
  return typeof (globalThis as { xsMemory?: unknown }).xsMemory === 'function';
}

export function readXsMemory(): XsMemory {
  return xsMemory();
}

/** Lowers both peaks to what is live now. */
export function resetXsPeak(): void {
  xsResetPeak();
}

/** A full garbage collection now, so that the live figures count only what is reachable. */
export function collectXsGarbage(): void {
  xsGc();
}

/** What `body` allocated while it ran (collected or not): slots and chunk bytes. */
export function allocatedBy(body: () => void): XsAllocation {
  const before = xsMemory();
  body();
  const after = xsMemory();
  return {
    slots: after.slotsAllocated - before.slotsAllocated,
    chunkBytes: after.chunkBytesAllocated - before.chunkBytesAllocated,
  };
}
