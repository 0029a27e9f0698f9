// Streams an archive from the URL GitHub redirects to (its archive server),
// with node:http(s): no credentials sent, bounded redirects, and a timer that cuts off a stalled download.

import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import { IsopodError, messageOf } from "../errors.ts";
import { SourceUnreachable } from "./github_errors.ts";

export interface Download {
  /** The archive as it arrives; errors on it are `source_unreachable`. */
  body: Readable;
  /** Content-Length, when the server sent one. */
  length: number | undefined;
}

export interface DownloadOptions {
  /** Longest wait for an answer, or between two chunks. */
  timeoutMs: number;
  /** What the download is, for messages. */
  action: string;
}

const MAX_REDIRECTS = 5;

/** A response, and why it was cut off when the host cut it. */
interface Answer {
  response: IncomingMessage;
  stalled: () => string | undefined;
}

function get(url: URL, timeoutMs: number): Promise<Answer> {
  const client = url.protocol === "https:" ? https : http;
  let stalled: string | undefined;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { headers: { "user-agent": "isopod" } }, (response) => resolve({ response, stalled: () => stalled }));
    // The socket's idle timer: no answer, or no chunk, within timeoutMs ends the download.
    request.setTimeout(timeoutMs, () => {
      stalled = `no data for ${timeoutMs} ms`;
      request.destroy(new Error(stalled));
    });
    request.once("error", reject);
  });
}

/** Turns the response into a stream whose errors say the download was cut off. */
function guarded({ response, stalled }: Answer, action: string): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of response) yield chunk as Buffer;
    } catch (error) {
      throw new SourceUnreachable(`${action}: the download was cut off (${stalled() ?? messageOf(error)})`);
    } finally {
      response.destroy();
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** Starts downloading `location`; a 404 is `source_not_found`, no answer or a 5xx is worth a retry. */
export async function downloadArchive(location: string, options: DownloadOptions): Promise<Download> {
  let url = new URL(location);
  for (let hop = 0; ; hop++) {
    let answer: Answer;
    try {
      answer = await get(url, options.timeoutMs);
    } catch (error) {
      throw new SourceUnreachable(`${options.action}: ${url.host} did not answer (${messageOf(error)})`);
    }
    const { response } = answer;
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location && hop < MAX_REDIRECTS) {
      response.resume();
      url = new URL(response.headers.location, url);
      continue;
    }
    if (status === 200) {
      const length = Number(response.headers["content-length"]);
      return { body: guarded(answer, options.action), length: Number.isFinite(length) ? length : undefined };
    }
    response.resume();
    if (status === 404) throw new IsopodError("source_not_found", `${options.action}: the archive server has no archive for it`);
    if (status >= 500) throw new SourceUnreachable(`${options.action}: the archive server answered ${status}`);
    throw new IsopodError("source_unreachable", `${options.action}: the archive server answered ${status}`);
  }
}
