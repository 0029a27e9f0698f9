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
});
