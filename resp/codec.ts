// The Redis protocol's codec, behind one module: commands in (RequestDecoder),
// replies out (encodeReply). Our own: see docs/decisions.md for the libraries looked at.

export { DEFAULT_DECODER_LIMITS, type DecoderLimits, RequestDecoder } from "./request_decoder.ts";
export { RespProtocolError } from "./protocol_error.ts";
export { array, bulk, encodeReply, errorReply, integer, NULL, OK, type Protocol, type Reply, simple, stringMap } from "./reply.ts";
