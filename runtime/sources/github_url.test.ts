// The GitHub URL parser on its own: the accepted forms, their canonical
// spelling (the key for "already there"), and the origins a configured API accepts.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { IsopodError } from "../errors.ts";
import { parseGitHubUrl, webOriginsFor } from "./github_url.ts";

describe("parseGitHubUrl", () => {
  test("reads a repository URL, with or without .git and a trailing slash", () => {
    for (const input of ["https://github.com/acme/pkgs", "https://github.com/acme/pkgs/", "https://github.com/acme/pkgs.git"]) {
      assert.deepEqual(parseGitHubUrl(input), { owner: "acme", repo: "pkgs", tree: [], url: "https://github.com/acme/pkgs" });
    }
  });

  test("keeps REF and PATH together for the resolver, decoded", () => {
    const parsed = parseGitHubUrl("https://github.com/threefoldtech/jumpscaleX_threebot/tree/master/ThreeBotPackages/threefold/phonebook");
    assert.equal(parsed.repo, "jumpscaleX_threebot");
    assert.deepEqual(parsed.tree, ["master", "ThreeBotPackages", "threefold", "phonebook"]);
    assert.deepEqual(parseGitHubUrl("https://github.com/a/b/tree/v1%2B2/my%20dir").tree, ["v1+2", "my dir"]);
  });

  test("spells equal URLs the same way", () => {
    const a = parseGitHubUrl("https://github.com/a/b/tree/main/x/");
    const b = parseGitHubUrl("https://github.com/a/b/tree/main/x");
    const c = parseGitHubUrl("https://github.com/a/b/tree/main/./x");
    assert.equal(a.url, "https://github.com/a/b/tree/main/x");
    assert.equal(b.url, a.url);
    assert.equal(c.url, a.url);
    const upper = parseGitHubUrl("https://github.com/Acme/PKGS/tree/Main/X");
    assert.equal(upper.url, "https://github.com/acme/pkgs/tree/Main/X", "owner and repository are case-insensitive, refs and paths are not");
    assert.equal(upper.owner, "Acme");
  });

  test("accepts the web origin of a GitHub Enterprise API, and github.com", () => {
    const origins = webOriginsFor("https://ghe.example.com/api/v3");
    assert.equal(parseGitHubUrl("https://ghe.example.com/acme/pkgs/tree/main", origins).owner, "acme");
    assert.equal(parseGitHubUrl("https://github.com/acme/pkgs", origins).repo, "pkgs");
    assert.throws(() => parseGitHubUrl("https://ghe.example.com/acme/pkgs"), /is not on github\.com or www\.github\.com/);
  });

  test("refuses anything else with a 400 that lists the accepted forms", () => {
    for (const input of ["", "ftp://github.com/a/b", "https://github.com/a/b/tree/main//x", "https://github.com/a/b/pulls", "https://github.com/a/b/tree/ma%ZZin"]) {
      assert.throws(
        () => parseGitHubUrl(input),
        (error: unknown) => error instanceof IsopodError && error.code === "bad_request" && /accepted forms/.test(error.message),
        input,
      );
    }
  });

  test("spells a www.github.com URL as github.com, so the same repository is one key", () => {
    assert.equal(parseGitHubUrl("https://www.github.com/Acme/pkgs/tree/main").url, "https://github.com/acme/pkgs/tree/main");
  });

  test("re-encodes decoded segments in the canonical URL, so it parses back to the same tree", () => {
    const parsed = parseGitHubUrl("https://github.com/a/b/tree/v1+2/my%20dir/%C3%A9");
    assert.deepEqual(parsed.tree, ["v1+2", "my dir", "é"]);
    assert.equal(parsed.url, "https://github.com/a/b/tree/v1%2B2/my%20dir/%C3%A9");
    assert.deepEqual(parseGitHubUrl(parsed.url), parsed);
  });

  test("keeps .git as part of the repository name in a tree URL", () => {
    assert.equal(parseGitHubUrl("https://github.com/a/b.git/tree/main").repo, "b.git");
  });

  test("says why it refuses a URL", () => {
    const refusals: Array<[string, RegExp]> = [
      ["not a url", /is not a URL/],
      ["http://github.com/a/b", /is not on github\.com or www\.github\.com/],
      ["https://user:pw@github.com/a/b", /may not carry credentials, a query or a fragment/],
      ["https://github.com/a/b?tab=readme", /may not carry credentials, a query or a fragment/],
      ["https://github.com/a/b#readme", /may not carry credentials, a query or a fragment/],
      ["https://github.com/a", /does not name a repository/],
      ["https://github.com/", /does not name a repository/],
      [`https://github.com/${"a".repeat(40)}/b`, /does not name a repository \(owner "a{40}"/],
      ["https://github.com/-a/b", /does not name a repository/],
      ["https://github.com/a/b c", /does not name a repository/],
      ["https://github.com/a/b/tree", /has no REF after \/tree\//],
      ["https://github.com/a/b/blob/main/mod.ts", /points at \/blob\/, not at a tree/],
      ["https://github.com/a/b/tree/main/a%2Fb", /cannot be part of a ref or path \("a\/b"\)/],
      // The URL parser resolves an encoded ".." like a plain one: here nothing is left after /tree/.
      ["https://github.com/a/b/tree/main/%2E%2E", /has no REF after \/tree\//],
      ["https://github.com/a/b/tree/main/x%0Ay", /cannot be part of a ref or path/],
      ["https://github.com/a/b/tree/main/x%00", /cannot be part of a ref or path/],
    ];
    for (const [input, why] of refusals) {
      assert.throws(
        () => parseGitHubUrl(input),
        (error: unknown) => error instanceof IsopodError && error.code === "bad_request" && why.test(error.message) && Array.isArray(error.details.accepted),
        input,
      );
    }
  });

  test("accepts a 39-character owner, the longest GitHub allows", () => {
    assert.equal(parseGitHubUrl(`https://github.com/${"a".repeat(39)}/b`).owner, "a".repeat(39));
  });
});

describe("webOriginsFor", () => {
  test("adds the API's own origin only for an API other than api.github.com", () => {
    assert.deepEqual(webOriginsFor("https://api.github.com"), ["https://github.com", "https://www.github.com"]);
    assert.deepEqual(webOriginsFor("http://127.0.0.1:8080/api"), ["https://github.com", "https://www.github.com", "http://127.0.0.1:8080"]);
  });
});
