// Fetches an access token from the emulator over HTTPS with the SDK's own TLS stack, trusting only
// the emulator's root certificate (DER, copied here by the test before the build). The test reads
// the trace lines.
import { Request } from "http";
import SecureSocket from "securesocket";
import Resource from "Resource";
import config from "mc/config";

const request = new Request({
	host: "localhost", port: Number(config.port), path: "/accesstoken/get", method: "POST",
	headers: [
		"client_id", config.clientId, "client_secret", config.clientSecret,
		"Ocp-Apim-Subscription-Key", config.subscriptionKey, "Merchant-Serial-Number", config.msn,
		"Content-Type", "application/json",
	],
	body: "", response: String,
	Socket: SecureSocket, secure: { certificate: new Resource("emulator-root.der"), protocolVersion: 0x303 },
});
request.callback = function (message, value) {
	if (Request.status === message) trace(`tls-check status ${value}\n`);
	else if (Request.responseComplete === message) trace(`tls-check body ${value.length} ${JSON.parse(value).token_type}\n`);
	else if (message < 0) trace(`tls-check error ${message}\n`);
};
