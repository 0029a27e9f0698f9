// The WHATWG streams of web-streams-polyfill as one ES module, for lazy.ts to
// load on first use (a require() of the package itself would bundle its CommonJS copy).

export * from "web-streams-polyfill";
