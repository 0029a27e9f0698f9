// A RESP framing error: malformed bytes or a length over its bound. The
// connection answers it with an error and then closes (docs/doors.md).

export class RespProtocolError extends Error {
  override name = "RespProtocolError";
}
