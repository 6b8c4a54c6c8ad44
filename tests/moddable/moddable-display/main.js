// The device's display, fonts and touch in the simulator, under the ESP32's default memory
// limits (the manifest's creation): every sample screen is drawn through Poco and the QR pixel
// loop. Pass 1 draws straight to `screen` and traces the time and memory of each screen; pass 2
// draws through RecordingOut, which traces every frame's pixels for the Node test to compare with
// the desktop's rendering; then a countdown tick and a cancel redraw only their boxes, and
// synthesized simulator touches go through hosts/moddable/touch to hitTest.
import Resource from "Resource";
import Time from "time";
import Instrumentation from "instrumentation";
import Debug from "debug";
import config from "mc/config";
import { validateMachineConfig } from "app/config/validate";
import { sampleScreens } from "app/screens/samples";
import { screen as buildScreen } from "app/screens/screen";
import { changedBoxes } from "app/screens/changed-boxes";
import { hitTest } from "app/screens/hit-test";
import { PocoDisplay } from "hosts/moddable/display";
import { loadDeviceFonts } from "hosts/moddable/fonts";
import { startTouch } from "hosts/moddable/touch";
import { RecordingOut } from "recording-out";

const NOW = 1_700_000_000_000;
const OTHER_LANGUAGES = ["da", "fi", "sv", "en"];
const OTHER_SCREENS = ["idle", "payment", "thank-you", "service-status"];

const SLOTS = Instrumentation.map("XS Slot Heap Used");
const CHUNKS = Instrumentation.map("XS Chunk Heap Used");
const DISPLAY_LIST = Instrumentation.map("Poco Display List Used");
function memory() {
	return `slots=${Instrumentation.get(SLOTS)} chunk=${Instrumentation.get(CHUNKS)}`;
}
function live() {
	Debug.gc();
	return `liveSlots=${Instrumentation.get(SLOTS)} liveChunk=${Instrumentation.get(CHUNKS)}`;
}

trace(`start ${memory()} ${live()} format=${screen.pixelFormat}\n`);
const machine = validateMachineConfig(JSON.parse(String.fromArrayBuffer(new Resource("sample-machine.json").slice(0))));
let started = Time.ticks;
const fonts = loadDeviceFonts();
trace(`fonts ms=${Time.ticks - started} ${memory()} ${live()}\n`);
const context = { config: machine, fonts: fonts.book };

/** [language, testMode, name] of every screen drawn, in order. */
function plan() {
	const entries = [];
	for (const sample of sampleScreens(machine, "nb", NOW)) entries.push(["nb", false, sample.name]);
	for (const language of OTHER_LANGUAGES)
		for (const name of OTHER_SCREENS) entries.push([language, false, name]);
	entries.push(["en", true, "payment"]);
	return entries;
}
function viewOf(language, testMode, name) {
	return sampleScreens(machine, language, NOW, testMode).find((sample) => sample.name === name).view;
}

// Pass 1: straight to the screen, timed, memory after each screen.
const direct = new PocoDisplay(screen, fonts);
trace(`display ${memory()} ${live()}\n`);
for (const [language, testMode, name] of plan()) {
	const view = viewOf(language, testMode, name);
	started = Time.ticks;
	const list = buildScreen(view, NOW, context);
	const built = Time.ticks;
	direct.draw(list);
	const drawn = Time.ticks;
	const frames = direct.pocoFrames;
	// Twice more for a steadier time; the list is the kept one, so only drawing is timed.
	direct.draw(buildScreen(view, NOW, context));
	direct.draw(buildScreen(view, NOW, context));
	const again = (Time.ticks - drawn) / 2;
	trace(`measure ${language}${testMode ? "-test" : ""} ${name} build=${built - started} draw=${drawn - built} redraw=${again} frames=${(direct.pocoFrames - frames) / 2} ${memory()} dl=${Instrumentation.get(DISPLAY_LIST)} ${live()}\n`);
}

// Pass 2: the same screens through the recorder, every pixel traced.
const recorder = new RecordingOut(screen);
recorder.dump = config.dump === "1";
const recorded = new PocoDisplay(recorder, fonts);
for (const [language, testMode, name] of plan()) {
	recorded.draw(buildScreen(viewOf(language, testMode, name), NOW, context));
	trace(`shown ${language}${testMode ? "-test" : ""} ${name}\n`);
}

// Pass 3: a display list a quarter the size, so every screen is split into several frames.
const small = new PocoDisplay(recorder, fonts, { displayListLength: 1024 });
for (const name of ["idle", "payment", "service-log"]) {
	const framesBefore = small.pocoFrames;
	small.draw(buildScreen(viewOf("nb", false, name), NOW, context));
	trace(`split nb ${name} frames=${small.pocoFrames - framesBefore}\n`);
	trace(`shown split ${name}\n`);
}

// A countdown tick on the payment screen, then Cancel pressed: only the changed boxes are sent.
const paymentView = viewOf("nb", false, "payment");
let previous = buildScreen(paymentView, NOW, context);
recorded.draw(previous);
trace(`shown nb payment\n`);
function redraw(step, view, now) {
	const next = buildScreen(view, now, context);
	const boxes = changedBoxes(previous, next);
	const qrBefore = recorded.qrDraws;
	const framesBefore = recorder.frames;
	trace(`step ${step} boxes ${JSON.stringify(boxes)}\n`);
	started = Time.ticks;
	recorded.draw(next, boxes);
	trace(`step ${step} ms=${Time.ticks - started} frames=${recorder.frames - framesBefore} qr=${recorded.qrDraws - qrBefore}\n`);
	trace(`shown step ${step}\n`);
	previous = next;
}
redraw("tick", paymentView, NOW + 1000);
redraw("cancel", { ...paymentView, sale: { ...paymentView.sale, cancelling: true } }, NOW + 1000);

// Touches, as mcsim delivers clicks: through screen.context, which startTouch set.
const idle = buildScreen(viewOf("nb", false, "idle"), NOW, context);
recorded.draw(idle);
trace(`shown nb idle\n`);
const touch = startTouch((x, y, holdMs) => {
	const action = hitTest(idle, x, y, holdMs);
	trace(`touch ${x} ${y} ${holdMs} ${action ? JSON.stringify(action) : "none"}\n`);
});
trace(`touch context ${typeof screen.context?.onTouchBegan}\n`);
function press(x, y, holdMs) {
	const t = Time.ticks;
	screen.context.onTouchBegan(0, x, y, t);
	screen.context.onTouchMoved(0, x + 3, y + 2, t + 10);
	screen.context.onTouchEnded(0, x + 3, y + 2, t + holdMs);
}
for (const target of idle.targets) {
	const x = target.box.x + (target.box.width >> 1), y = target.box.y + (target.box.height >> 1);
	press(x, y, target.holdMs);
	if (target.holdMs) press(x, y, target.holdMs - 1);
}
press(1, 319, 0);
touch.stop();
trace(`touch stopped ${screen.context === undefined}\n`);
trace(`display done ${memory()} ${live()}\n`);
