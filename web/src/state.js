// The view's state, kept in the URL fragment (JSON compressed with lz-string), so a link reproduces it.
import LZString from "lz-string";

export const STATE_VERSION = 1;

export function encodeState(state) {
  return LZString.compressToEncodedURIComponent(JSON.stringify({ v: STATE_VERSION, ...state }));
}

export function decodeState(fragment) {
  const text = (fragment || "").replace(/^#/, "");
  if (!text) return null;
  try {
    const json = LZString.decompressFromEncodedURIComponent(text);
    const st = json ? JSON.parse(json) : null;
    return st && st.v === STATE_VERSION ? st : null;
  } catch (err) {
    return null;
  }
}

// compressed length of an uploaded scenario's text: it rides in the link only up to the server's limit
export function compressedLength(text) {
  return LZString.compressToEncodedURIComponent(text || "").length;
}
