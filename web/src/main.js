// bmdsim explorer: the page's controller. Thin: every number comes from the server's API.
import { ApiError, getJSON, postFile, postJSON, postStream, saveBlob } from "./api.js";
import { Globe } from "./globe.js";
import {
  barLegend, cividis, classLegend, renderClaims, renderFiles, renderHeat, renderTable, renderTimeline,
} from "./panels.js";
import { compressedLength, decodeState, encodeState } from "./state.js";

const $ = (sel) => document.querySelector(sel);
const T0 = performance.now();
const hooks = { firstFrameMs: null, imageryMs: null, engageCount: 0, lastResult: null, ready: false, errors: [] };
window.__explorer = hooks;

const S = {
  scenario: null, upload: null, doc: null, arch: null, pristine: true, kinds: {}, linksOff: [], pos: {},
  missile: null, from: "", to: "", shape: "min", shapeValue: null, selected: null,
  layers: { fp: null, det: false, env: null }, placing: null,
};
let meta = null;
let interceptors = {};
let claimsList = [];
let claimsRecords = null;
let globe = null;

// ------------------------------------------------------------------------------------------ messages
function say(text, isError = false) {
  const m = $("#message");
  m.textContent = text;
  m.className = isError ? "error" : "";
  if (isError) hooks.errors.push(text);
}

const FIELD_INPUT = { from: "#from", to: "#to", missile: "#missile", apogee_km: "#shape-value",
  flight_time_s: "#shape-value", launch_area: "#fp-area", scenario_yaml: "#scenario-file",
  "scenario_yaml.extends": "#scenario-file", "scenario_yaml.catalogs": "#scenario-file", decision_time_s: "#decision" };

function showError(err, prefix = "") {
  document.querySelectorAll(".invalid").forEach((e) => e.classList.remove("invalid"));
  if (err instanceof ApiError) {
    const sel = FIELD_INPUT[err.field];
    if (sel && $(sel)) $(sel).classList.add("invalid");
    say(`${prefix}${err.message}`, true);
  } else {
    say(`${prefix}${err && err.message ? err.message : err}`, true);
  }
}

function clearInvalid() {
  document.querySelectorAll(".invalid").forEach((e) => e.classList.remove("invalid"));
}

// ------------------------------------------------------------------------------------------ state <-> URL
let fragmentTimer = null;
function saveFragment() {
  if (!hooks.restored) return; // the link being opened is read first
  clearTimeout(fragmentTimer);
  fragmentTimer = setTimeout(() => {
    const st = {
      s: S.scenario, m: S.missile, f: S.from, t: S.to, sk: S.shape, sv: S.shapeValue, k: S.kinds, lo: S.linksOff,
      sel: S.selected, cam: globe ? globe.cameraState() : null, L: S.layers,
    };
    if (!S.pristine) st.a = S.arch;
    const note = $("#upload-note");
    if (S.upload) {
      const n = compressedLength(S.upload.text);
      if (n <= meta.fragment_upload_chars) {
        st.u = S.upload.text;
        st.un = S.upload.name;
        note.textContent = `Uploaded ${S.upload.name}: it rides in the link (${n.toLocaleString()} of at most ` +
          `${meta.fragment_upload_chars.toLocaleString()} characters compressed).`;
        note.className = "small";
      } else {
        st.un = S.upload.name;
        st.toolarge = true;
        note.textContent = `Uploaded ${S.upload.name}: too large to share as a link (${n.toLocaleString()} ` +
          `characters compressed; the limit is ${meta.fragment_upload_chars.toLocaleString()}). ` +
          "A copied link will not carry this scenario: share the file with it.";
        note.className = "small error";
      }
    } else {
      note.textContent = "";
    }
    history.replaceState(null, "", `#${encodeState(st)}`);
  }, 250);
}

// ------------------------------------------------------------------------------------------ scenario
function defaultKind(site) {
  return /ship|sea|aegis-bmd|destroyer/i.test(site.name) ? "ship" : "land";
}

const PREFERRED_AIMS = ["paris", "berlin", "london", "rome", "warsaw", "bucharest", "washington", "new_york"];

function applyDocument(doc, { keepThreat = false } = {}) {
  S.doc = doc;
  S.arch = JSON.parse(JSON.stringify(doc.architecture));
  S.arch.rules = S.arch.rules || {};
  if (doc.options && doc.options.vbo_kms !== null && doc.options.vbo_kms !== undefined) {
    for (const s of S.arch.sites) s.vbo_kms = doc.options.vbo_kms;
  }
  if (doc.options && doc.options.decision_time_s !== null && doc.options.decision_time_s !== undefined) {
    S.arch.rules.decision_time_s = doc.options.decision_time_s;
  }
  S.pristine = true;
  S.kinds = {};
  S.linksOff = [];
  S.pos = {};
  for (const s of doc.sites) S.pos[s.name] = [s.lat, s.lon];
  for (const s of S.arch.sites) S.kinds[s.name] = defaultKind(s);
  S.selected = null;
  $("#scenario-desc").textContent = doc.description || "";
  if (!keepThreat) {
    const pairs = doc.threats.pairs;
    let pick = null;
    for (const aim of PREFERRED_AIMS) {
      pick = pairs.slice().reverse().find((p) => p[2] === aim);
      if (pick) break;
    }
    pick = pick || pairs[0];
    if (pick) {
      S.missile = pick[0];
      S.from = pick[1];
      S.to = pick[2];
    }
    S.shape = "min";
    S.shapeValue = null;
  }
  renderThreatInputs();
  renderDefense();
  globe.setRadars(doc.radars);
  globe.showRadars($("#show-fields").checked);
  drawSites(doc.sites);
}

async function loadScenario(name, opts = {}) {
  say(`loading ${name} …`);
  const doc = await getJSON(`/api/scenarios/${encodeURIComponent(name)}`);
  S.scenario = name;
  S.upload = null;
  $("#scenario").value = name;
  $("#scenario-file").value = "";
  applyDocument(doc, opts);
  say("");
  return doc;
}

async function uploadScenario(file) {
  if (file.size > meta.max_upload_bytes) {
    showError(new ApiError(413, { detail: `${file.name} is ${file.size.toLocaleString()} bytes; the explorer accepts ` +
      `at most ${meta.max_upload_bytes.toLocaleString()} bytes`, field: "scenario_yaml" }));
    return;
  }
  const text = await file.text();
  try {
    const res = await postJSON("/api/scenarios/validate", { yaml: text });
    S.upload = { name: file.name, text };
    S.scenario = null;
    $("#scenario").value = "";
    applyDocument(res.document);
    say(`${file.name}: valid (${res.name})`);
    await fly();
  } catch (err) {
    showError(err, `${file.name}: `);
  }
}

// ------------------------------------------------------------------------------------------ threat inputs
function renderThreatInputs() {
  $("#missile").value = S.missile || "";
  $("#from").value = S.from || "";
  $("#to").value = S.to || "";
  $("#shape").value = S.shape;
  $("#shape-value").disabled = S.shape === "min";
  $("#shape-value").value = S.shapeValue ?? "";
}

function readThreatInputs() {
  S.missile = $("#missile").value;
  S.from = $("#from").value.trim();
  S.to = $("#to").value.trim();
  S.shape = $("#shape").value;
  const v = $("#shape-value").value;
  S.shapeValue = S.shape === "min" || v === "" ? null : Number(v);
}

function threatBody() {
  const body = { missile: S.missile, from: S.from, to: S.to };
  if (S.shape !== "min" && S.shapeValue !== null) body[S.shape] = S.shapeValue;
  return body;
}

// ------------------------------------------------------------------------------------------ defense panel
function catalogVbo(name) {
  const i = interceptors[name];
  return i ? i.vbo_kms.value : 3;
}

function linkKey(l) {
  return l.name || l.sensor;
}

function requestArchitecture() {
  const a = JSON.parse(JSON.stringify(S.arch));
  a.links = (a.links || []).filter((l) => !S.linksOff.includes(linkKey(l)));
  return a;
}

function archSource() {
  if (S.pristine && S.scenario) return { scenario: S.scenario };
  if (S.pristine && S.upload) return { scenario_yaml: S.upload.text };
  return { architecture: requestArchitecture() };
}

function edited() {
  S.pristine = false;
  scheduleEngage();
}

function renderDefense() {
  const ul = $("#sites");
  ul.innerHTML = "";
  for (const site of S.arch.sites) {
    const li = document.createElement("li");
    li.dataset.site = site.name;
    if (site.name === S.selected) li.classList.add("selected");
    const vbo = site.vbo_kms ?? catalogVbo(site.interceptor);
    const opts = Object.keys(interceptors).map((n) => `<option${n === site.interceptor ? " selected" : ""}>${n}</option>`)
      .join("");
    li.innerHTML = `<div class="head"><span class="name" title="${site.name}">${site.name}</span>
        <span class="kind">${S.kinds[site.name] || "land"}</span>
        <button type="button" class="remove" title="remove this site" aria-label="remove ${site.name}">×</button></div>
      <div class="ctl"><select class="icp" aria-label="interceptor of ${site.name}">${opts}</select></div>
      <div class="ctl"><label>vbo</label><input class="slider" type="range" min="0.5" max="12" step="0.05"
        value="${vbo}" aria-label="burnout speed of ${site.name} (km/s)"><span class="vbo">${Number(vbo).toFixed(2)} km/s</span></div>`;
    li.querySelector(".icp").addEventListener("change", (ev) => {
      site.interceptor = ev.target.value;
      delete site.vbo_kms; // the new interceptor's catalog vbo
      renderDefense();
      edited();
    });
    const slider = li.querySelector(".slider");
    slider.addEventListener("input", () => {
      const v = Math.round(Number(slider.value) / 0.05) * 0.05; // 0.05 km/s steps: fly-out tables are shared
      site.vbo_kms = Number(v.toFixed(2));
      li.querySelector(".vbo").textContent = `${site.vbo_kms.toFixed(2)} km/s`;
      edited();
    });
    li.querySelector(".remove").addEventListener("click", () => {
      if (S.arch.sites.length <= 1) {
        say("an architecture needs at least one site", true);
        return;
      }
      S.arch.sites = S.arch.sites.filter((s) => s !== site);
      for (const l of S.arch.links || []) {
        if (Array.isArray(l.sites)) l.sites = l.sites.filter((n) => n !== site.name);
      }
      S.arch.links = (S.arch.links || []).filter((l) => l.sites === "all" || l.sites === undefined || l.sites.length);
      delete S.pos[site.name];
      renderDefense();
      drawSites();
      edited();
    });
    li.addEventListener("click", (ev) => {
      if (ev.target.closest("select,input,button")) return;
      selectSite(site.name);
    });
    ul.append(li);
  }
  const links = $("#links");
  links.innerHTML = "";
  for (const l of S.arch.links || []) {
    const key = linkKey(l);
    const li = document.createElement("li");
    const to = l.sites === "all" || l.sites === undefined ? "all sites" : l.sites.join(", ");
    li.innerHTML = `<label><input type="checkbox" ${S.linksOff.includes(key) ? "" : "checked"}> ${l.sensor} → ${to}` +
      `${l.fire_control ? " (fire control)" : ""}</label>`;
    li.querySelector("input").addEventListener("change", (ev) => {
      S.linksOff = ev.target.checked ? S.linksOff.filter((k) => k !== key) : [...S.linksOff, key];
      edited();
    });
    links.append(li);
  }
  if (!(S.arch.links || []).length) links.innerHTML = '<li class="muted">no data links</li>';
  $("#decision").value = S.arch.rules.decision_time_s ?? 30;
}

function selectSite(name) {
  S.selected = name;
  document.querySelectorAll("#sites li").forEach((li) => li.classList.toggle("selected", li.dataset.site === name));
  const li = document.querySelector(`#sites li[data-site="${CSS.escape(name)}"]`);
  if (li) li.scrollIntoView({ block: "nearest" });
  drawSites();
  saveFragment();
}

function drawSites(resolved) {
  if (resolved) for (const s of resolved) S.pos[s.name] = [s.lat, s.lon];
  const sites = S.arch.sites.filter((s) => S.pos[s.name]).map((s) => ({ name: s.name, lat: S.pos[s.name][0],
    lon: S.pos[s.name][1], interceptor: s.interceptor }));
  globe.setSites(sites, S.kinds, S.selected);
}

function siteMoved(name, lat, lon) {
  const site = S.arch.sites.find((s) => s.name === name);
  if (!site) return;
  delete site.place;
  site.lat_deg = Math.round(lat * 1000) / 1000;
  site.lon_deg = Math.round(lon * 1000) / 1000;
  S.pos[name] = [site.lat_deg, site.lon_deg];
  S.selected = name;
  renderDefense();
  drawSites();
  edited();
}

function addSite(kind) {
  S.placing = kind;
  const hint = $("#pick-hint");
  hint.textContent = `Click the globe to place the ${kind === "ship" ? "ship" : "land site"} (Esc cancels)`;
  hint.hidden = false;
  globe.pickPoint((lat, lon) => {
    hint.hidden = true;
    S.placing = null;
    const base = kind === "ship" ? "ship" : "site";
    let n = 1;
    while (S.arch.sites.some((s) => s.name === `${base}-${n}`)) n++;
    const name = `${base}-${n}`;
    const site = kind === "ship"
      ? { name, lat_deg: Math.round(lat * 1000) / 1000, lon_deg: Math.round(lon * 1000) / 1000,
        interceptor: "SM-3-IIA", inventory: 8, sensors: ["SPY-1"] }
      : { name, lat_deg: Math.round(lat * 1000) / 1000, lon_deg: Math.round(lon * 1000) / 1000,
        interceptor: "SM-3-IIB", inventory: 24, sensors: ["SPY-1"] };
    S.arch.sites.push(site);
    S.kinds[name] = kind;
    S.pos[name] = [site.lat_deg, site.lon_deg];
    S.selected = name;
    renderDefense();
    drawSites();
    edited();
  });
}

// ------------------------------------------------------------------------------------------ engagement
let inFlight = false;
let pending = false;
let engageTimer = null;

function scheduleEngage() {
  clearTimeout(engageTimer);
  engageTimer = setTimeout(() => fly(), 60);
}

async function fly() {
  if (!S.missile || !S.from || !S.to) return;
  if (inFlight) { pending = true; return; }
  inFlight = true;
  pending = false;
  const t = performance.now();
  try {
    const body = { ...archSource(), ...threatBody() };
    const res = await postJSON("/api/engage?view=true", body);
    clearInvalid();
    hooks.lastResult = res;
    hooks.engageCount += 1;
    showResult(res);
    const n = res.engagements.filter((r) => r.engageable).length;
    const th = res.threats[0];
    say(`${th.missile}, ${th.shape}, ${Math.round(th.range_km).toLocaleString()} km, ${(th.flight_time_s / 60).toFixed(1)} min:` +
      ` ${n} of ${res.engagements.length} sites can engage (answer in ${Math.round(performance.now() - t)} ms)`);
  } catch (err) {
    showError(err);
  } finally {
    inFlight = false;
    saveFragment();
    if (pending) fly();
  }
}

function showResult(res) {
  const v = res.view;
  globe.setTrajectory(v.trajectory);
  globe.setFlyouts(v.flyouts);
  const th = res.threats[0];
  globe.setMarkers([th.launch.lat, th.launch.lon], [th.aim.lat, th.aim.lon]);
  drawSites(v.sites);
  globe.setRadars(v.radars);
  globe.showRadars($("#show-fields").checked);
  renderTable($("#engagements tbody"), res);
  renderTimeline($("#timeline"), res);
  const s = $("#threat-summary");
  s.textContent = `range ${Math.round(th.range_km).toLocaleString()} km · flight ${(th.flight_time_s / 60).toFixed(1)} min · ` +
    `apogee ${Math.round(th.apogee.alt_km)} km · burnout ${th.burnout.t_s} s at ${th.burnout.speed_kms} km/s`;
}

// ------------------------------------------------------------------------------------------ analyses
const jobs = {};

function jobUI(prefix) {
  return { bar: $(`#${prefix}-progress`), status: $(`#${prefix}-status`), files: $(`#${prefix}-files`) };
}

async function runJob(prefix, url, body, { onPartial, onResult }) {
  if (jobs[prefix]) jobs[prefix].abort();
  const ctl = new AbortController();
  jobs[prefix] = ctl;
  const ui = jobUI(prefix);
  ui.bar.hidden = false;
  ui.bar.removeAttribute("value");
  ui.status.textContent = "queued …";
  ui.files.innerHTML = "";
  try {
    const res = await postStream(url, body, (kind, d) => {
      if (kind === "progress") {
        if (d.total) { ui.bar.max = d.total; ui.bar.value = d.done; } else ui.bar.removeAttribute("value");
        const pass = d.passes ? ` pass ${d.pass}/${d.passes} (${d.grid_deg}°)` : "";
        ui.status.textContent = `${d.stage}${pass}${d.total ? ` ${d.done}/${d.total}` : ""} · ${d.elapsed_s} s`;
      } else if (kind === "partial" && onPartial) {
        onPartial(d);
      } else if (kind === "started") {
        ui.status.textContent = "started …";
      }
    }, { signal: ctl.signal });
    ui.bar.hidden = true;
    ui.status.textContent = `done in ${res.elapsed_s} s`;
    renderFiles(ui.files, res.files);
    onResult(res);
  } catch (err) {
    if (err.name === "AbortError") return;
    ui.bar.hidden = true;
    ui.status.textContent = "";
    showError(err);
  } finally {
    if (jobs[prefix] === ctl) delete jobs[prefix];
  }
}

function footprint() {
  const area = $("#fp-area").value.trim() || S.from;
  const grid = Number($("#fp-grid").value);
  const k = Number($("#fp-k").value);
  S.layers.fp = { area, grid, k };
  saveFragment();
  const body = { ...archSource(), launch_area: area, grid_deg: grid, k };
  if (!body.scenario && !body.scenario_yaml) body.missiles = S.doc.threats.missiles;
  const t = performance.now();
  hooks.footprintFirstPartialMs = null;
  return runJob("fp", "/api/footprint", body, {
    onPartial: (d) => {
      if (hooks.footprintFirstPartialMs === null) hooks.footprintFirstPartialMs = performance.now() - t;
      globe.setFootprint(d, meta.palette.classes);
      classLegend($("#fp-legend"), meta.palette, d.summary);
    },
    onResult: (d) => {
      globe.setFootprint(d, meta.palette.classes);
      classLegend($("#fp-legend"), meta.palette, d.summary);
      hooks.footprint = d;
    },
  });
}

function deterrent() {
  S.layers.det = true;
  saveFragment();
  return runJob("det", "/api/deterrent", archSource(), {
    onResult: (d) => {
      hooks.deterrent = d;
      renderHeat($("#det-heat"), d, (launch, target) => {
        const cell = d.cells[`${launch}|${target}`] || [];
        const pick = cell.find((c) => c.engageable) || cell[0];
        if (!pick) return;
        S.missile = pick.missile;
        const lc = d.launch_coords[launch];
        const tc = d.target_coords[target];
        S.from = `${lc[0].toFixed(3)},${lc[1].toFixed(3)}`;
        S.to = `${tc[0].toFixed(3)},${tc[1].toFixed(3)}`;
        S.shape = "min";
        S.shapeValue = null;
        renderThreatInputs();
        fly().then(() => globe.flyToPoints([lc, tc]));
      });
    },
  });
}

function envelope() {
  const grid = Number($("#env-grid").value);
  S.layers.env = grid;
  saveFragment();
  return runJob("env", "/api/envelope", { grid_deg: grid }, {
    onResult: (d) => {
      hooks.envelope = d;
      const [lo, hi] = d.ladder_kms;
      globe.setEnvelope(d, (v) => (v === null ? "rgba(213,94,0,0.6)" : cividis((v - lo) / (hi - lo))
        .replace("rgb", "rgba").replace(")", ",0.6)")));
      barLegend($("#env-legend"), "highest vbo (km/s) at which a site here engages no Russian ICBM/SLBM trajectory",
        `${lo} km/s`, `${hi} km/s (safe at any tested vbo)`, `engages something even at ${lo} km/s`);
    },
  });
}

function runClaims() {
  return runJob("claims", "/api/claims", {}, {
    onResult: (d) => {
      claimsRecords = d.records;
      renderClaims($("#claims"), claimsList, claimsRecords, openScenario);
    },
  });
}

async function openScenario(name) {
  try {
    await loadScenario(name);
    await fly();
    flyToThreat();
    saveFragment();
  } catch (err) {
    showError(err);
  }
}

function flyToThreat() {
  const r = hooks.lastResult;
  const pts = Object.values(S.pos);
  if (r) {
    const tr = r.view.trajectory;
    for (let i = 0; i < tr.t_s.length; i += 10) pts.push([tr.lat[i], tr.lon[i], tr.alt_km[i] * 1000]);
    pts.push([r.threats[0].aim.lat, r.threats[0].aim.lon]);
  }
  globe.flyToPoints(pts);
}

// ------------------------------------------------------------------------------------------ downloads
async function download(spec) {
  const [what, format] = spec.split(":");
  try {
    if (what === "traj") {
      const { blob, name } = await postFile("/api/trajectory", { ...threatBody(), format });
      saveBlob(blob, name || `trajectory.${format}`);
    } else {
      const body = { ...archSource(), ...threatBody(), format };
      const { blob, name } = await postFile("/api/engage", body);
      saveBlob(blob, name || `engagements.${format}`);
    }
  } catch (err) {
    showError(err);
  }
}

// ------------------------------------------------------------------------------------------ start-up
function wire() {
  $("#scenario").addEventListener("change", (ev) => { if (ev.target.value) openScenario(ev.target.value); });
  $("#scenario-file").addEventListener("change", (ev) => { if (ev.target.files[0]) uploadScenario(ev.target.files[0]); });
  $("#fly").addEventListener("click", () => { readThreatInputs(); fly().then(flyToThreat); });
  for (const id of ["#from", "#to", "#shape-value"]) {
    $(id).addEventListener("keydown", (ev) => { if (ev.key === "Enter") { readThreatInputs(); fly().then(flyToThreat); } });
  }
  $("#missile").addEventListener("change", () => { readThreatInputs(); fly(); });
  $("#shape").addEventListener("change", () => {
    $("#shape-value").disabled = $("#shape").value === "min";
    if ($("#shape").value === "apogee_km" && !$("#shape-value").value) $("#shape-value").value = 300;
    if ($("#shape").value === "flight_time_s" && !$("#shape-value").value) $("#shape-value").value = 900;
    readThreatInputs();
    fly();
  });
  for (const which of ["from", "to"]) {
    $(`#pick-${which}`).addEventListener("click", () => {
      const hint = $("#pick-hint");
      hint.textContent = `Click the globe to set the ${which === "from" ? "launch" : "aim"} point (Esc cancels)`;
      hint.hidden = false;
      globe.pickPoint((lat, lon) => {
        hint.hidden = true;
        $(`#${which}`).value = `${lat.toFixed(3)},${lon.toFixed(3)}`;
        readThreatInputs();
        fly();
      });
    });
  }
  document.addEventListener("keydown", (ev) => { // Escape cancels picking a point or placing a site
    if (ev.key === "Escape" && !$("#pick-hint").hidden) {
      globe.pickPoint(null);
      S.placing = null;
      $("#pick-hint").hidden = true;
    }
  });
  $("#add-ship").addEventListener("click", () => addSite("ship"));
  $("#add-land").addEventListener("click", () => addSite("land"));
  $("#decision").addEventListener("change", (ev) => {
    S.arch.rules.decision_time_s = Number(ev.target.value);
    edited();
  });
  $("#show-fields").addEventListener("change", (ev) => globe.showRadars(ev.target.checked));
  $("#show-borders").addEventListener("change", (ev) => globe.showBorders(ev.target.checked));
  $("#fp-run").addEventListener("click", footprint);
  $("#fp-clear").addEventListener("click", () => {
    if (jobs.fp) jobs.fp.abort();
    globe.clearOverlay("footprint");
    $("#fp-legend").hidden = true;
    S.layers.fp = null;
    saveFragment();
  });
  $("#det-run").addEventListener("click", deterrent);
  $("#env-run").addEventListener("click", envelope);
  $("#env-clear").addEventListener("click", () => {
    if (jobs.env) jobs.env.abort();
    globe.clearOverlay("envelope");
    $("#env-legend").hidden = true;
    S.layers.env = null;
    saveFragment();
  });
  $("#claims-run").addEventListener("click", runClaims);
  document.querySelectorAll("[data-dl]").forEach((b) => b.addEventListener("click", () => download(b.dataset.dl)));
  $("#share").addEventListener("click", async () => {
    saveFragment();
    await new Promise((r) => setTimeout(r, 300));
    const big = S.upload && compressedLength(S.upload.text) > meta.fragment_upload_chars;
    try {
      await navigator.clipboard.writeText(location.href);
      say(big ? "Link copied, but it cannot carry the uploaded scenario (too large): share the file too."
        : "Link to this view copied.");
    } catch (err) {
      say(big ? "This view can't be shared as a link: the uploaded scenario is too large." : `Link: ${location.href}`);
    }
  });
}

async function restore(st) {
  if (st.u) {
    const res = await postJSON("/api/scenarios/validate", { yaml: st.u });
    S.upload = { name: st.un || "uploaded.yaml", text: st.u };
    S.scenario = null;
    applyDocument(res.document, { keepThreat: true });
  } else {
    if (st.toolarge) say(`This link was made with an uploaded scenario (${st.un}) too large to ride in a link; ` +
      "showing the built-in scenario instead.", true);
    await loadScenario(st.s || "epaa-phase-3", { keepThreat: true });
  }
  if (st.a) {
    S.arch = st.a;
    S.arch.rules = S.arch.rules || {};
    S.pristine = false;
    for (const s of S.arch.sites) {
      if (s.lat_deg !== undefined && s.lon_deg !== undefined) S.pos[s.name] = [s.lat_deg, s.lon_deg];
    }
  }
  S.kinds = { ...S.kinds, ...(st.k || {}) };
  S.linksOff = st.lo || [];
  S.selected = st.sel || null;
  S.missile = st.m;
  S.from = st.f;
  S.to = st.t;
  S.shape = st.sk || "min";
  S.shapeValue = st.sv ?? null;
  renderThreatInputs();
  renderDefense();
  drawSites();
  await fly();
  if (st.cam) globe.setCamera(st.cam);
  const L = st.L || {};
  if (L.fp) {
    $("#fp-area").value = L.fp.area || "";
    $("#fp-grid").value = String(L.fp.grid);
    $("#fp-k").value = String(L.fp.k);
    footprint();
  }
  if (L.env) { $("#env-grid").value = String(L.env); $("#env-box").open = true; envelope(); }
  if (L.det) { $("#det-box").open = true; deterrent(); }
}

async function main() {
  const st = decodeState(location.hash); // before anything can write the fragment
  globe = new Globe($("#globe"), {
    onSiteMoved: siteMoved,
    onSiteSelected: selectSite,
    onFirstFrame: (t) => { hooks.firstFrameMs = t; },
    onImageryLoaded: (t) => { hooks.imageryMs = t; },
  });
  hooks.globe = globe;
  hooks.state = S;
  globe.onCameraChanged(() => saveFragment());
  wire();
  const [m, scen, icp, missiles] = await Promise.all([getJSON("/api/meta"), getJSON("/api/scenarios"),
    getJSON("/api/catalog/interceptors"), getJSON("/api/catalog/missiles")]);
  meta = m;
  $("#version").textContent = `bmdsim ${m.version}`;
  interceptors = Object.fromEntries(icp.map((i) => [i.name, i]));
  $("#scenario").innerHTML = '<option value="">(uploaded scenario)</option>' +
    scen.scenarios.map((s) => `<option value="${s.name}" title="${s.description.replace(/"/g, "&quot;")}">${s.name}` +
      `${s.date ? ` (${s.date})` : ""}</option>`).join("");
  $("#missile").innerHTML = missiles.map((x) => `<option value="${x.name}">${x.name} (${x.class}, ` +
    `${Math.round(x.nominal_range_km.value).toLocaleString()} km)</option>`).join("");
  hooks.ready = true;
  hooks.readyMs = performance.now();
  document.body.dataset.ready = "1";
  // map lines and claims load in the background
  Promise.all([getJSON("/api/map/coast?resolution=l"), getJSON("/api/map/borders?resolution=l")]).then(([c, b]) => {
    globe.setBoundaries("coast", c);
    globe.setBoundaries("borders", b);
    globe.showBorders($("#show-borders").checked);
    hooks.linesLoaded = true;
  }).catch((err) => showError(err, "map lines: "));
  getJSON("/api/claims").then((c) => {
    claimsList = c.claims;
    renderClaims($("#claims"), claimsList, claimsRecords, openScenario);
  }).catch((err) => showError(err, "claims: "));
  try {
    if (st) {
      await restore(st);
    } else {
      await loadScenario("epaa-phase-3");
      await fly();
      flyToThreat();
    }
  } catch (err) {
    showError(err);
  }
  hooks.restored = true;
  hooks.t0 = T0;
  saveFragment();
}

main();
