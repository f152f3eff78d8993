// The page's panels: engagement table, timeline, deterrent heat map, claims ledger, legends.

const REASON_TEXT = {
  not_detected: "not detected by a sensor the site may use",
  no_fire_control_track: "detected, but no fire-control track it may use",
  too_late: "too late: reachable points pass before the earliest launch",
  outside_altitude_band: "reachable only outside the kill vehicle's altitude band",
  out_of_reach: "out of reach of the interceptor",
};
export const PHASE_COLORS = { boost: "#D55E00", midcourse: "#E69F00", reentry: "#0072B2" };

const fmt = (x, d = 0) => (x === null || x === undefined ? "–" : Number(x).toFixed(d));
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
  "'": "&#39;" })[c]);

export function reasonText(code) {
  return code ? REASON_TEXT[code] || code : "";
}

export function renderTable(tbody, result) {
  const rows = (result && result.engagements) || [];
  tbody.innerHTML = rows.map((r) => {
    const pt = (p) => (p ? `${fmt(p.t_s)} s · ${fmt(p.alt_km)} km` : "–");
    return `<tr class="${r.engageable ? "yes" : "no"}" data-site="${esc(r.site)}">
      <td>${esc(r.site)}</td><td>${esc(r.interceptor)}</td><td class="num">${fmt(r.vbo_kms, 2)}</td>
      <td class="eng">${r.engageable ? "yes" : "no"}</td><td>${esc(reasonText(r.reason))}</td>
      <td class="num">${fmt(r.first_detection_s)}</td><td class="num">${fmt(r.track_s)}</td>
      <td class="num">${fmt(r.launch_earliest_s)}</td><td>${pt(r.first_intercept)}</td>
      <td>${pt(r.last_intercept)}</td><td class="num">${r.shots}</td></tr>`;
  }).join("");
}

// timeline: threat phases on top, then one row per sensor (first detection) and per site (detection,
// track, earliest launch, the intercept window, shots)
export function renderTimeline(el, result) {
  if (!result || !result.view) { el.innerHTML = ""; return; }
  const traj = result.view.trajectory;
  const ev = traj.events;
  const tEnd = ev.impact_s || traj.t_s[traj.t_s.length - 1];
  const sensors = result.view.sensors.filter((s) => s.first_detection_s !== null);
  const rows = result.engagements;
  const W = Math.max(560, el.clientWidth || 800);
  const left = 150;
  const right = 12;
  const rowH = 16;
  const H = 34 + (sensors.length + rows.length) * rowH + 22;
  const x = (t) => left + (Math.max(0, Math.min(t, tEnd)) / tEnd) * (W - left - right);
  const parts = [];
  const bo = ev.burnout_s ?? 0;
  const re = ev.reentry_s ?? tEnd;
  const phase = (a, b, name) => `<rect x="${x(a)}" y="4" width="${Math.max(0, x(b) - x(a))}" height="10"
    fill="${PHASE_COLORS[name]}"><title>${name} ${fmt(a)}–${fmt(b)} s</title></rect>`;
  parts.push(`<text x="4" y="13">threat (${esc(traj.missile)})</text>`);
  parts.push(phase(0, bo, "boost"), phase(bo, re, "midcourse"), phase(re, tEnd, "reentry"));
  // time axis
  const step = tEnd > 1800 ? 300 : tEnd > 600 ? 120 : 60;
  for (let t = 0; t <= tEnd; t += step) {
    parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="18" y2="${H - 16}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${x(t)}" y="${H - 4}" text-anchor="middle">${t} s</text>`);
  }
  let y = 34;
  for (const s of sensors) {
    parts.push(`<text x="4" y="${y + 4}">${esc(s.name)}</text>`);
    parts.push(`<circle cx="${x(s.first_detection_s)}" cy="${y}" r="4" fill="#CC79A7"><title>${esc(s.name)} first sees the
      threat at ${fmt(s.first_detection_s)} s</title></circle>`);
    y += rowH;
  }
  for (const r of rows) {
    parts.push(`<text x="4" y="${y + 4}" ${r.engageable ? "" : 'fill="#888"'}>${esc(r.site)}</text>`);
    if (r.first_intercept && r.last_intercept) {
      const a = r.first_intercept.t_s;
      const b = r.last_intercept.t_s;
      parts.push(`<rect x="${x(a)}" y="${y - 5}" width="${Math.max(2, x(b) - x(a))}" height="10" fill="#009E73"
        opacity="0.75"><title>${esc(r.site)}: intercept window ${fmt(a)}–${fmt(b)} s, ${r.shots} shot(s)</title></rect>`);
      parts.push(`<text x="${x(b) + 4}" y="${y + 4}">${r.shots} shot${r.shots === 1 ? "" : "s"}</text>`);
    } else if (r.reason) {
      parts.push(`<text x="${W - right}" y="${y + 4}" text-anchor="end" fill="#D55E00">${esc(reasonText(r.reason))}</text>`);
    }
    if (r.first_detection_s !== null) parts.push(`<circle cx="${x(r.first_detection_s)}" cy="${y}" r="3.5"
      fill="#555"><title>first detection ${fmt(r.first_detection_s)} s</title></circle>`);
    if (r.track_s !== null) parts.push(`<rect x="${x(r.track_s) - 3.5}" y="${y - 3.5}" width="7" height="7"
      fill="#0072B2" transform="rotate(45 ${x(r.track_s)} ${y})"><title>fire-control track ${fmt(r.track_s)} s</title></rect>`);
    if (r.launch_earliest_s !== null) {
      const lx = x(r.launch_earliest_s);
      parts.push(`<path d="M${lx - 4},${y + 5} L${lx + 4},${y + 5} L${lx},${y - 5} Z" fill="#000"><title>earliest
        launch ${fmt(r.launch_earliest_s)} s</title></path>`);
    }
    y += rowH;
  }
  el.innerHTML = `<svg viewBox="0 0 ${W} ${H}" height="${H}" role="img" aria-label="engagement timeline">
    ${parts.join("")}</svg>
    <div class="small muted">● first detection · ◆ fire-control track · ▲ earliest launch · bar: intercept window
    (first to last intercept) · top: boost, midcourse, re-entry</div>`;
}

// cividis-like sequential scale (colour-blind safe): a few stops of matplotlib's cividis
const CIVIDIS = [[0, [0, 34, 78]], [0.25, [59, 73, 108]], [0.5, [124, 123, 120]], [0.75, [188, 175, 111]],
  [1, [253, 234, 69]]];
export function cividis(u) {
  const v = Math.max(0, Math.min(1, u));
  for (let k = 1; k < CIVIDIS.length; k++) {
    const [u1, c1] = CIVIDIS[k];
    const [u0, c0] = CIVIDIS[k - 1];
    if (v <= u1) {
      const f = (v - u0) / (u1 - u0);
      const c = c0.map((a, i) => Math.round(a + f * (c1[i] - a)));
      return `rgb(${c[0]},${c[1]},${c[2]})`;
    }
  }
  return "rgb(253,234,69)";
}

export function barLegend(el, label, lo, hi, nanLabel) {
  const stops = [0, 0.25, 0.5, 0.75, 1].map((u) => `${cividis(u)} ${u * 100}%`).join(",");
  el.innerHTML = `<div>${esc(label)}</div><div class="bar" style="background:linear-gradient(to right,${stops})"></div>
    <div style="display:flex;justify-content:space-between"><span>${lo}</span><span>${hi}</span></div>
    ${nanLabel ? `<div><span class="sw" style="background:#D55E00"></span>${esc(nanLabel)}</div>` : ""}`;
  el.hidden = false;
}

export function classLegend(el, palette, summary) {
  const sw = (c) => `<span class="sw" style="background:${c}"></span>`;
  el.innerHTML = `${sw(palette.classes.defended)}${esc(palette.class_labels.defended)}
    ${sw(palette.classes.threatened_not_defended)}${esc(palette.class_labels.threatened_not_defended)}
    ${summary ? `<div>${summary.cells_defended} of ${summary.cells_threatened} threatened cells defended` +
      (summary.share_population_defended !== null && summary.share_population_defended !== undefined
        ? `; ${(summary.share_population_defended * 100).toFixed(0)} % of the population of threatened large cities`
        : "") + "</div>" : ""}`;
  el.hidden = false;
}

// deterrent heat map: rows = launch bases, columns = targets; click -> onCell(launch, target)
export function renderHeat(el, res, onCell) {
  const nr = res.launches.length;
  const nc = res.targets.length;
  const cw = Math.max(6, Math.min(18, Math.floor(300 / Math.max(nc, 1))));
  const ch = Math.max(8, Math.min(16, Math.floor(320 / Math.max(nr, 1))));
  const canvas = document.createElement("canvas");
  canvas.width = nc * cw;
  canvas.height = nr * ch;
  const ctx = canvas.getContext("2d");
  for (let i = 0; i < nr; i++) {
    for (let j = 0; j < nc; j++) {
      const v = res.share[i][j];
      ctx.fillStyle = v === null ? "#ffffff" : cividis(v);
      ctx.fillRect(j * cw, i * ch, cw - 1, ch - 1);
    }
  }
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", "deterrent matrix heat map");
  const info = document.createElement("div");
  info.className = "axis";
  info.textContent = "rows: launch bases, columns: targets; hover for names";
  canvas.addEventListener("mousemove", (ev) => {
    const r = canvas.getBoundingClientRect();
    const j = Math.floor(((ev.clientX - r.left) / r.width) * nc);
    const i = Math.floor(((ev.clientY - r.top) / r.height) * nr);
    if (i >= 0 && i < nr && j >= 0 && j < nc) {
      const v = res.share[i][j];
      info.textContent = `${res.launches[i]} → ${res.targets[j]}: ${v === null ? "no trajectory"
        : `${Math.round(v * 100)} % of missile types engageable`}`;
    }
  });
  canvas.addEventListener("click", (ev) => {
    const r = canvas.getBoundingClientRect();
    const j = Math.floor(((ev.clientX - r.left) / r.width) * nc);
    const i = Math.floor(((ev.clientY - r.top) / r.height) * nr);
    if (i >= 0 && i < nr && j >= 0 && j < nc && res.share[i][j] !== null) onCell(res.launches[i], res.targets[j]);
  });
  el.innerHTML = "";
  const s = res.summary;
  const head = document.createElement("div");
  head.className = "small";
  head.textContent = `${s.engageable} of ${s.trajectories} trajectories engageable (${(s.share_engageable * 100).toFixed(1)} %)`;
  el.append(head, canvas, info);
  const leg = document.createElement("div");
  leg.className = "legend";
  el.append(leg);
  barLegend(leg, "share of the base's missile types engageable", "0 %", "100 %");
}

export function renderClaims(el, claims, records, onScenario) {
  const byId = Object.fromEntries((records || []).map((r) => [r.id, r]));
  el.innerHTML = "";
  for (const c of claims) {
    const li = document.createElement("li");
    const rec = byId[c.id];
    const verdict = rec ? `<span class="verdict ${rec.verdict.replace(/\s+/g, "-")}">${esc(rec.verdict)}</span> — ` : "";
    li.innerHTML = `<div>${verdict}<b>${esc(c.id)}</b> ${esc(c.title)}</div>
      <blockquote>“${esc(c.quote)}”</blockquote>
      ${rec ? `<div class="small">${esc(rec.threshold)}</div>` : ""}`;
    const btns = document.createElement("div");
    for (const name of c.scenarios) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = `open ${name}`;
      b.dataset.scenario = name;
      b.addEventListener("click", () => onScenario(name));
      btns.append(b);
    }
    li.append(btns);
    el.append(li);
  }
}

export function renderFiles(el, files) {
  el.innerHTML = (files || []).map((f) => `<a href="${esc(f.url)}" download="${esc(f.name)}">${esc(f.name)}</a>`).join("");
}
