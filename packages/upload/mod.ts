// upload: reads a multipart form (fields and files) with request.formData()
// and answers what it got, as a Deno server would. Try: curl -F name=x -F file=@README.md

export default {
  async fetch(request: Request): Promise<Response> {
    if (request.method !== "POST") return new Response("POST a form with fields and files\n");
    const form = await request.formData();
    const parts = [];
    for (const [name, value] of form) {
      parts.push(
        typeof value === "string"
          ? { name, value }
          : { name, file: value.name, type: value.type, size: value.size, sha256: await sha256(await value.arrayBuffer()) },
      );
    }
    return Response.json({ parts });
  },
};

async function sha256(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
