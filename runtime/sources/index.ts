// Where package files come from: GitHub tree URLs and folders on the host,
// behind one Source interface.

export type { FetchedSource, Source } from "./source.ts";
export { FolderSource } from "./folder_source.ts";
export { GitSource, type GitSourceOptions } from "./git_source.ts";
export { ACCEPTED_FORMS, parseGitHubUrl, webOriginsFor, type GitHubLocation } from "./github_url.ts";
