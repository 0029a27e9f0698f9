// fetch-blob/file.js as the forms part sees it: the runtime's File, handed
// over by web/form_data.ts (see part_blob.ts).

/** Shadowed in a part by the runtime's own class (web/parts.ts). */
declare const File: unknown;

export default File;
export { File };
