// `qr/encode` in the Moddable builds: the SDK's native encoder (qr-encode.ts) under the name the
// core knows, mapped by hosts/moddable/manifest.json in place of modules/qr/encode (Nayuki's
// TypeScript encoder, about 7.9 million XS metering units an encode, and an npm import).
export { encodeNative as encode } from 'hosts/moddable/qr-encode';
