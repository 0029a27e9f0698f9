// fetch-blob as the forms part sees it (formdata-polyfill imports it): the
// runtime's Blob and File, handed over by web/form_data.ts, never a copy.

/** Shadowed in a part by the runtime's own classes (web/parts.ts). */
declare const Blob: unknown;
declare const File: unknown;

export default Blob;
export { Blob, File };
