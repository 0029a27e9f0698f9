// Sends one HTTP request with exactly the headers given (no defaults added,
// unlike fetch), and reads the whole answer: for comparing two servers byte for byte.

import http from "node:http";

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface RawResponse {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

export function rawRequest(base: string, request: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  const url = new URL(request.path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: request.method ?? "GET", headers: request.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const headers: [string, string][] = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!]);
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
      });
      res.on("error", reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer to ${request.method ?? "GET"} ${url} within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(request.body);
  });
}
