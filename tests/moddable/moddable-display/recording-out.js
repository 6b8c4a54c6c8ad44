// A PixelsOut in front of the simulator's screen that passes everything on and traces what was
// sent: each frame's window and byte count, and (when `dump` is on) its pixels as hex, so the
// Node test can rebuild the panel's contents and compare them with the desktop's rendering.
export class RecordingOut {
	#out;
	#x = 0; #y = 0; #width = 0; #height = 0; #bytes = 0;
	dump = false;
	frames = 0;

	constructor(out) {
		this.#out = out;
	}
	get width() { return this.#out.width; }
	get height() { return this.#out.height; }
	get pixelFormat() { return this.#out.pixelFormat; }
	pixelsToBytes(count) { return count << 1; }

	// Poco built with ECMA-419 display support passes one {x, y, width, height} object.
	begin(x, y, width, height) {
		if (typeof x === "object") ({x, y, width, height} = x);
		this.#out.begin(x, y, width, height);
		this.#x = x; this.#y = y; this.#width = width; this.#height = height; this.#bytes = 0;
		if (this.dump) trace(`frame ${x} ${y} ${width} ${height}\n`);
	}
	send(pixels, offset, count) {
		this.#out.send(pixels, offset, count);
		this.#bytes += count;
		if (this.dump) trace(`px ${new Uint8Array(pixels, offset, count).toHex()}\n`);
	}
	continue(x, y, width, height) {
		this.#out.continue?.(x, y, width, height);
	}
	end() {
		this.#out.end();
		this.frames++;
		trace(`sent ${this.#x} ${this.#y} ${this.#width} ${this.#height} ${this.#bytes}\n`);
	}
}
