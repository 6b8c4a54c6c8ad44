/*
 * The XS engine's own memory counters, for JavaScript running on the project's xsnap build.
 *
 * tools/xsnap/build.mjs includes this file at the top of a copy of XS's xsMemory.c and adds one
 * line to each allocation path there (fxNewSlot, fxCheckChunk, fxRenewChunk), so the counters
 * below see every heap slot and chunk byte the machine takes. It registers the host functions on
 * the global object through a patched copy of xsnap.c. The semantics are documented for users in
 * tests/support/xs-memory.ts.
 *
 * xsMemory.c includes only XS's internal header; the host functions below use the public API too
 * (xs.h is written to be included after xsAll.h).
 *
 * XS keeps live and peak figures itself (currentHeapCount, peakHeapCount, currentChunksSize,
 * peakChunksSize in txMachine) but lowers the live ones when it collects garbage, so nothing in
 * it says how much a piece of code allocated. The cumulative counters here only ever grow. They
 * are per process, which is per machine: xsnap runs one.
 */

#include "xs.h"

/* Every heap slot handed out by fxNewSlot. */
static txU8 gxSlotsAllocated = 0;
/* Every chunk byte added to currentChunksSize by a new chunk or a chunk grown in place. */
static txU8 gxChunkBytesAllocated = 0;
/* What xsMemory() calls allocated for their own result objects, left out of the figures they report. */
static txU8 gxSlotsOfReports = 0;
static txU8 gxChunkBytesOfReports = 0;

static void xsMemorySetNumber(txMachine* the, txSlot* object, txString name, txNumber value)
{
	xsSet(*object, xsID(name), xsNumber(value));
}

/* xsMemory(): { slotsAllocated, chunkBytesAllocated, slotsLive, chunkBytesLive, slotsPeak, chunkBytesPeak } */
void xs_memory(txMachine* the)
{
	txU8 slotsAtEntry = gxSlotsAllocated;
	txU8 chunkBytesAtEntry = gxChunkBytesAllocated;
	txNumber slotsLive = (txNumber)the->currentHeapCount;
	txNumber chunkBytesLive = (txNumber)the->currentChunksSize;
	txNumber slotsPeak = (txNumber)the->peakHeapCount;
	txNumber chunkBytesPeak = (txNumber)the->peakChunksSize;
	xsResult = xsNewObject();
	xsMemorySetNumber(the, &xsResult, "slotsAllocated", (txNumber)(slotsAtEntry - gxSlotsOfReports));
	xsMemorySetNumber(the, &xsResult, "chunkBytesAllocated", (txNumber)(chunkBytesAtEntry - gxChunkBytesOfReports));
	xsMemorySetNumber(the, &xsResult, "slotsLive", slotsLive);
	xsMemorySetNumber(the, &xsResult, "chunkBytesLive", chunkBytesLive);
	xsMemorySetNumber(the, &xsResult, "slotsPeak", slotsPeak);
	xsMemorySetNumber(the, &xsResult, "chunkBytesPeak", chunkBytesPeak);
	/* The object above is the report's own cost: leave it out of every later report. */
	gxSlotsOfReports += gxSlotsAllocated - slotsAtEntry;
	gxChunkBytesOfReports += gxChunkBytesAllocated - chunkBytesAtEntry;
}

/* xsResetPeak(): the peaks start again from what is live now. */
void xs_resetPeak(txMachine* the)
{
	the->peakHeapCount = the->currentHeapCount;
	the->peakChunksSize = the->currentChunksSize;
}
