// DOMException, written by hand (no package provides it for a bare V8
// context): the names and legacy codes of WebIDL.

/** Each name's legacy code and the constant that names it (`ABORT_ERR`), written out: a regular expression here would cost every isolate its compilation at start. */
const CODES: Record<string, readonly [number, string]> = {
  IndexSizeError: [1, "INDEX_SIZE_ERR"],
  HierarchyRequestError: [3, "HIERARCHY_REQUEST_ERR"],
  WrongDocumentError: [4, "WRONG_DOCUMENT_ERR"],
  InvalidCharacterError: [5, "INVALID_CHARACTER_ERR"],
  NoModificationAllowedError: [7, "NO_MODIFICATION_ALLOWED_ERR"],
  NotFoundError: [8, "NOT_FOUND_ERR"],
  NotSupportedError: [9, "NOT_SUPPORTED_ERR"],
  InvalidStateError: [11, "INVALID_STATE_ERR"],
  SyntaxError: [12, "SYNTAX_ERR"],
  InvalidModificationError: [13, "INVALID_MODIFICATION_ERR"],
  NamespaceError: [14, "NAMESPACE_ERR"],
  InvalidAccessError: [15, "INVALID_ACCESS_ERR"],
  TypeMismatchError: [17, "TYPE_MISMATCH_ERR"],
  SecurityError: [18, "SECURITY_ERR"],
  NetworkError: [19, "NETWORK_ERR"],
  AbortError: [20, "ABORT_ERR"],
  URLMismatchError: [21, "URL_MISMATCH_ERR"],
  QuotaExceededError: [22, "QUOTA_EXCEEDED_ERR"],
  TimeoutError: [23, "TIMEOUT_ERR"],
  InvalidNodeTypeError: [24, "INVALID_NODE_TYPE_ERR"],
  DataCloneError: [25, "DATA_CLONE_ERR"],
};

export class DOMException extends Error {
  readonly #name: string;
  readonly #code: number;

  constructor(message = "", name = "Error") {
    super(String(message));
    this.#name = String(name);
    this.#code = CODES[this.#name]?.[0] ?? 0;
  }

  override get name(): string {
    return this.#name;
  }

  get code(): number {
    return this.#code;
  }
}

Object.defineProperty(DOMException.prototype, Symbol.toStringTag, { value: "DOMException", configurable: true });
for (const [code, constant] of Object.values(CODES)) {
  Object.defineProperty(DOMException, constant, { value: code, enumerable: true });
  Object.defineProperty(DOMException.prototype, constant, { value: code, enumerable: true });
}
