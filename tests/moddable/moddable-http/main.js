// The Moddable HttpTransport against the emulator over HTTPS, in the simulator, under the ESP32's
// default memory limits (see the manifest's creation). Arms the emulator's faults itself through
// its admin API on the same origin, so each fault hits exactly the request that follows. Every
// result is one trace line that tests/node/moddable-http.test.ts reads:
//   http <step> <status|error kind> <ms> ms conn <clients made> [body <chars>]
//   mem <label> slotBytes <n> chunkBytes <n>    mem peak slotBytes <n> chunkBytes <n>
// ("XS Slot Heap Used" is slots x sizeof(txSlot): 32 bytes in the 64-bit simulator, 16 on the ESP32.)
// A timer samples live memory every 10 ms, during requests too (the TLS handshake included).
import { ModdableHttpTransport } from "hosts/moddable/http-transport";
import Debug from "debug";
import Instrumentation from "instrumentation";
import Resource from "Resource";
import Time from "time";
import Timer from "timer";
import config from "mc/config";

const base = `https://localhost:${config.port}`;
const idleWaitMs = Number(config.idleWaitMs);
const transport = new ModdableHttpTransport({ certificate: new Resource("root-ca.der") });
const slotsIndex = Instrumentation.map("XS Slot Heap Used");
const chunkIndex = Instrumentation.map("XS Chunk Heap Used");
const peak = { slots: 0, chunk: 0 };

// Live memory: collected first, since "used" otherwise counts garbage not yet collected.
function memory(label) {
	Debug.gc();
	const slots = Instrumentation.get(slotsIndex);
	const chunk = Instrumentation.get(chunkIndex);
	peak.slots = Math.max(peak.slots, slots);
	peak.chunk = Math.max(peak.chunk, chunk);
	if (label) trace(`mem ${label} slotBytes ${slots} chunkBytes ${chunk}\n`);
}

const common = {
	"Ocp-Apim-Subscription-Key": config.subscriptionKey,
	"Merchant-Serial-Number": config.msn,
};
let token = "";

function api(method, path, extra = {}) {
	return {
		method, url: base + path, timeoutMs: 5000, maxResponseBytes: 16384,
		headers: { ...common, Authorization: `Bearer ${token}` }, ...extra,
	};
}

async function step(name, request) {
	const started = Time.ticks;
	try {
		const answer = await transport.request(request);
		trace(`http ${name} ${answer.status} ${Time.ticks - started} ms conn ${transport.stats.connections} body ${answer.body.length}\n`);
		return answer;
	}
	catch (error) {
		trace(`http ${name} ${error.kind ?? error.message} ${Time.ticks - started} ms conn ${transport.stats.connections}\n`);
	}
}

function arm(fault) {
	return step("arm", api("POST", "/emulator/faults", { headers: { "Content-Type": "application/json" }, body: JSON.stringify(fault) }));
}

const wait = (ms) => new Promise((resolve) => Timer.set(resolve, ms));
const GET_ROUTE = "GET /epayment/v1/payments/{reference}";

async function run() {
	memory("start");
	Timer.repeat(() => memory(), 10);
	const answer = await step("token", {
		method: "POST", url: `${base}/accesstoken/get`, timeoutMs: 5000, maxResponseBytes: 16384,
		headers: { client_id: config.clientId, client_secret: config.clientSecret, ...common },
	});
	token = JSON.parse(answer.body).access_token;
	trace(`token type ${JSON.parse(answer.body).token_type} content-type ${answer.headers["content-type"]} headers ${Object.keys(answer.headers).sort().join(",")}\n`);
	const reference = `sim-http-${Date.now()}`;
	const created = await step("create", api("POST", "/epayment/v1/payments", {
		headers: { ...common, Authorization: `Bearer ${token}`, "Content-Type": "application/json", "Idempotency-Key": reference },
		body: JSON.stringify({
			amount: { currency: "NOK", value: 2500 }, paymentMethod: { type: "WALLET" }, reference, userFlow: "QR",
			qrFormat: { format: "TEXT/TARGETURL" }, customerInteraction: "CUSTOMER_PRESENT", paymentDescription: "Cola 0.5 l",
		}),
	}));
	trace(`created ${JSON.parse(created.body).reference === reference}\n`);
	memory("after-create");
	const path = `/epayment/v1/payments/${reference}`;
	for (let i = 1; i <= 5; i++) await step(`get${i}`, api("GET", path));
	memory("after-gets");
	// Three at once: they queue on the one connection.
	await Promise.all([1, 2, 3].map((i) => step(`queued${i}`, api("GET", path))));
	// A body far bigger than one onWritable piece (the emulator ignores the padding).
	await step("bigbody", api("POST", "/emulator/seed", { headers: { "Content-Type": "application/json" }, body: JSON.stringify({ seed: 7, padding: "x".repeat(6000) }) }));
	trace(`bodyWrites ${transport.stats.bodyWrites}\n`);

	await arm({ route: GET_ROUTE, kind: "reset-before-headers" });
	await step("reset", api("GET", path));
	await step("after-reset", api("GET", path));

	await arm({ route: GET_ROUTE, kind: "latency", delayMs: 3000 });
	await step("slow", api("GET", path, { timeoutMs: 1500 }));
	await step("after-slow", api("GET", path));

	await arm({ route: GET_ROUTE, kind: "oversized-body" });
	await step("oversized", api("GET", path));
	await step("after-oversized", api("GET", path));
	memory("after-faults");

	// The network goes down while a request waits on the kept-alive connection, then again with
	// the connection idle: each time the connection is closed and the next request makes a new one
	// at once instead of waiting out its timeout in a dead socket.
	await arm({ route: GET_ROUTE, kind: "latency", delayMs: 3000 });
	const inflight = step("down-inflight", api("GET", path));
	await wait(300);
	transport.networkDown();
	await inflight;
	await step("after-down", api("GET", path));
	transport.networkDown();
	await step("after-down-idle", api("GET", path));

	trace(`idle wait ${idleWaitMs} ms\n`);
	await wait(idleWaitMs);
	await step("after-idle", api("GET", path));
	memory("end");
	trace(`mem peak slotBytes ${peak.slots} chunkBytes ${peak.chunk}\n`);
	trace(`http-sim done requests ${transport.stats.requests} connections ${transport.stats.connections}\n`);
}

run().catch((error) => trace(`http-sim failed ${error}\n`));
