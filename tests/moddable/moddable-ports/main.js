// The Moddable host's small ports in the simulator, under the ESP32's default memory limits: the
// KeyValueStore on Preference (run twice by tests/node/moddable-ports.test.ts, which empties the
// domain first: the first run finds no "survives" key and writes it, the second finds it, shows
// what survived the restart and cleans up), the Pins stand-in, the Clock and the Random. Each
// result is one trace line the Node test reads.
import { PreferenceStore } from "hosts/moddable/store";
import { pins, setSimulatedDrop } from "hosts/moddable/pins";
import { moddableClock, TickCounter } from "hosts/moddable/clock";
import { moddableRandom } from "hosts/moddable/random";
import Time from "time";
import Timer from "timer";
import config from "mc/config";

const DOMAIN = "qrvend-test";
const BLOB_DOMAIN = "qrvend-testblob";

function refused(what, action) {
	try {
		action();
		trace(`store refuse ${what} no\n`);
	}
	catch (error) {
		trace(`store refuse ${what} yes ${error.name}\n`);
	}
}

function storeFirstRun() {
	const store = new PreferenceStore({ domain: DOMAIN });
	for (const key of store.keys()) store.delete(key);
	store.set("plain", "hello");
	const unicode = "Cola \u00e6\u00f8\u00e5 \u20ac 5,00";
	store.set("unicode", unicode);
	const full = "x".repeat(3998) + "\u00e6";	// 4000 bytes of UTF-8
	store.set("full", full);
	store.set("gone", "to be deleted");
	store.delete("gone");
	store.delete("never-there");
	trace(`store get plain ${store.get("plain") === "hello"}\n`);
	trace(`store get unicode ${store.get("unicode") === unicode}\n`);
	trace(`store get full ${store.get("full") === full} ${store.get("full").length}\n`);
	trace(`store get gone ${store.get("gone") === undefined}\n`);
	refused("key-16", () => store.set("sixteen-chars-ab", "v"));
	refused("key-empty", () => store.set("", "v"));
	refused("key-non-ascii", () => store.set("n\u00f8kkel", "v"));
	refused("value-4001", () => store.set("plain", "x".repeat(3999) + "\u00e6"));
	trace(`store kept plain ${store.get("plain") === "hello"}\n`);
	store.set("survives", `run ${config.runId}`);	// last: it marks the first run as complete
	trace(`store keys ${store.keys().sort().join(",")}\n`);
	// The device's encoding (blobs), on a small value: the simulator's Preference reads a blob back
	// as one string per byte, too many slots for a 4000-byte one under the ESP32's limits.
	const blobs = new PreferenceStore({ domain: BLOB_DOMAIN, blobs: true });
	blobs.set("blob", unicode);
	trace(`store blob ${blobs.get("blob") === unicode}\n`);
	blobs.delete("blob");
}

function storeSecondRun() {
	const store = new PreferenceStore({ domain: DOMAIN });
	trace(`store after restart survives ${store.get("survives")}\n`);
	trace(`store after restart plain ${store.get("plain") === "hello"} full ${store.get("full")?.length}\n`);
	trace(`store after restart keys ${store.keys().sort().join(",")}\n`);
	for (const key of store.keys()) store.delete(key);
	trace(`store cleaned ${store.keys().length}\n`);
}

async function pinsTest() {
	const released = pins.output({ pin: 26, activeLow: false });
	pins.output({ pin: 27, activeLow: true });
	const sensor = pins.input({ pin: 32, mode: "edge", activeLow: true });
	// The event loop runs during a pulse: this timer fires in the middle of it.
	const started = Time.ticks;
	Timer.set(() => trace(`pins tick during pulse ${Time.ticks - started} ms\n`), 100);
	const pulse = released.pulse(300);
	try {
		await released.pulse(50);
		trace("pins overlapping pulse accepted\n");
	}
	catch {
		trace("pins overlapping pulse refused\n");
	}
	await pulse;
	trace(`pins pulse resolved ${Time.ticks - started} ms\n`);
	trace(`pins drop default ${await sensor.waitForDrop(1000)}\n`);
	setSimulatedDrop(false);
	trace(`pins drop none ${await sensor.waitForDrop(300)}\n`);
	setSimulatedDrop(120, 32);
	trace(`pins drop pin ${await sensor.waitForDrop(1000)}\n`);
	setSimulatedDrop(2000, 32);
	trace(`pins drop late ${await sensor.waitForDrop(200)}\n`);
}

async function clockTest() {
	const counter = new TickCounter(2147483000);
	const readings = [2147483647, -2147483648, -2147483000, -2147483100, 1000].map((raw) => counter.read(raw));
	trace(`clock unwrap ${readings.join(",")}\n`);
	const fired = [];
	const begin = moddableClock.now();
	await new Promise((resolve) => {
		moddableClock.setTimeout(() => fired.push(30), 30);
		moddableClock.setTimeout(() => fired.push(10), 10);
		const cancelled = moddableClock.setTimeout(() => fired.push("cancelled"), 20);
		moddableClock.clearTimeout(cancelled);
		moddableClock.setTimeout(resolve, 60);
	});
	const fired20 = moddableClock.setTimeout(() => {}, 0);
	await new Promise((resolve) => Timer.set(resolve, 10));
	moddableClock.clearTimeout(fired20);	// after it fired: harmless
	trace(`clock order ${fired.join(",")} elapsed ${moddableClock.now() - begin}\n`);
	let last = moddableClock.now(), monotonic = true;
	for (let i = 0; i < 1000; i++) {
		const now = moddableClock.now();
		if (now < last) monotonic = false;
		last = now;
	}
	trace(`clock monotonic ${monotonic}\n`);
}

function randomTest() {
	const values = [];
	for (let i = 0; i < 4; i++) values.push(moddableRandom.uint32());
	const inRange = values.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32);
	let high = 0;
	for (let i = 0; i < 1000; i++) if (moddableRandom.uint32() >= 2 ** 31) high++;
	trace(`random values ${values.join(",")} range ${inRange} high ${high}\n`);
	trace(`random math ${Math.random()},${Math.random()}\n`);
}

async function run() {
	const phase = new PreferenceStore({ domain: DOMAIN }).get("survives") === undefined ? "first" : "second";
	trace(`ports-sim phase ${phase}\n`);
	if (phase === "second") storeSecondRun();
	else {
		storeFirstRun();
		await pinsTest();
		await clockTest();
	}
	randomTest();
	trace(`ports-sim done ${phase}\n`);
}

run().catch((error) => trace(`ports-sim failed ${error}\n`));
