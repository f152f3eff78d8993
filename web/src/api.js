// Talking to the server: JSON requests and server-sent-event streams (POST + fetch, so no EventSource).

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `HTTP ${status}`);
    this.status = status;
    this.field = body && body.field;
    this.messages = body && body.messages;
  }
}

async function parse(res) {
  const type = res.headers.get("content-type") || "";
  const body = type.includes("json") ? await res.json() : await res.text();
  if (!res.ok) throw new ApiError(res.status, typeof body === "object" ? body : { detail: String(body) });
  return body;
}

export async function getJSON(url) {
  const early = window.__prefetch && window.__prefetch[url]; // started by boot.js before CesiumJS loaded
  if (early) {
    delete window.__prefetch[url];
    return parse(await early);
  }
  return parse(await fetch(url, { headers: { accept: "application/json" } }));
}

export async function postJSON(url, data, { signal } = {}) {
  return parse(await fetch(url, {
    method: "POST", headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(data), signal,
  }));
}

// POST that answers with a file: returns a Blob and the server's file name
export async function postFile(url, data) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify(data) });
  if (!res.ok) await parse(res);
  const disp = res.headers.get("content-disposition") || "";
  const m = /filename="([^"]+)"/.exec(disp);
  const type = res.headers.get("content-type") || "";
  if (type.includes("application/json") && !m) {
    return { blob: new Blob([await res.text()], { type: "application/json" }), name: null };
  }
  return { blob: await res.blob(), name: m ? m[1] : null };
}

// POST a job and read its event stream; onEvent(kind, data) for each event. Resolves with the result
// data, rejects with ApiError on `error`. Aborting the signal closes the stream (the server cancels).
export async function postStream(url, data, onEvent, { signal } = {}) {
  const res = await fetch(url, {
    method: "POST", headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify(data), signal,
  });
  if (!res.ok) await parse(res);
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let cut;
    while ((cut = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      let kind = "message";
      const lines = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) kind = line.slice(6).trim();
        else if (line.startsWith("data:")) lines.push(line.slice(5).trim());
      }
      const payload = lines.length ? JSON.parse(lines.join("\n")) : {};
      onEvent(kind, payload);
      if (kind === "result") return payload;
      if (kind === "error") throw new ApiError(422, payload);
      if (kind === "cancelled") throw new ApiError(499, { detail: "cancelled", field: "job" });
    }
  }
  throw new ApiError(500, { detail: "the stream ended without a result", field: "job" });
}

export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
