// The globe: CesiumJS with its bundled Natural Earth II imagery (no Cesium ion, no network), coastlines and
// borders from the server (the data of the PNG maps), and the explorer's layers.
/* global Cesium */

const PHASE_COLORS = { boost: "#D55E00", midcourse: "#E69F00", reentry: "#0072B2" }; // Okabe-Ito
const FLYOUT_COLOR = "#009E73";
const SENSOR_COLOR = "#CC79A7";

function color(hex, alpha = 1) {
  return Cesium.Color.fromCssColorString(hex).withAlpha(alpha);
}

export class Globe {
  constructor(container, { onSiteMoved, onSiteSelected, onFirstFrame, onImageryLoaded }) {
    const imagery = Cesium.ImageryLayer.fromProviderAsync(
      Cesium.TileMapServiceImageryProvider.fromUrl(Cesium.buildModuleUrl("Assets/Textures/NaturalEarthII")));
    this.viewer = new Cesium.Viewer(container, {
      baseLayer: imagery,
      baseLayerPicker: false, geocoder: false, homeButton: true, sceneModePicker: true, navigationHelpButton: false,
      animation: false, timeline: false, fullscreenButton: false, infoBox: false, selectionIndicator: false,
      projectionPicker: false, vrButton: false,
      terrainProvider: new Cesium.EllipsoidTerrainProvider(),
      requestRenderMode: true, maximumRenderTimeChange: Infinity,
      contextOptions: { webgl: { preserveDrawingBuffer: true } }, // screenshots in tests and for the README
    });
    const scene = this.viewer.scene;
    scene.globe.enableLighting = false;
    scene.globe.showGroundAtmosphere = false;
    scene.skyAtmosphere.show = false;
    scene.fog.enabled = false;
    if (scene.sun) scene.sun.show = false;
    if (scene.moon) scene.moon.show = false;
    scene.postProcessStages.fxaa.enabled = false;
    // a software WebGL renderer (SwiftShader, llvmpipe: headless browsers, machines without a GPU) draws a
    // frame in about half a second: draw fewer pixels and coarser imagery there so that the page answers clicks
    // (?full-quality in the address keeps full resolution, e.g. for screenshots)
    this.software = Globe.softwareRenderer(scene);
    if (this.software && !new URLSearchParams(location.search).has("full-quality")) {
      this.viewer.resolutionScale = 0.6;
      scene.globe.maximumScreenSpaceError = 4;
    }
    this.scene = scene;
    this.entities = this.viewer.entities;
    this.handlers = { onSiteMoved, onSiteSelected };
    this.layers = { trajectory: [], sites: [], radars: [], flyouts: [], markers: [] };
    this.lines = { coast: null, borders: null };
    this.overlay = { footprint: null, envelope: null };
    this.pickCallback = null;
    this.dragging = null;
    this.sitePositions = {};

    let first = true;
    scene.postRender.addEventListener(() => {
      if (first) {
        first = false;
        onFirstFrame && onFirstFrame(performance.now());
      }
    });
    let imageryReported = false;
    scene.postRender.addEventListener(() => {
      if (!imageryReported && scene.globe.tilesLoaded) {
        imageryReported = true;
        onImageryLoaded && onImageryLoaded(performance.now());
      }
    });

    this._wireMouse();
    this.home();
  }

  render() {
    this.scene.requestRender();
  }

  static softwareRenderer(scene) {
    try {
      const gl = scene.context._gl;
      const ext = gl.getExtension("WEBGL_debug_renderer_info");
      const name = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
      return /swiftshader|llvmpipe|software/i.test(name);
    } catch (err) {
      return false;
    }
  }

  home() {
    this.viewer.camera.setView({ destination: Cesium.Rectangle.fromDegrees(-15, 25, 65, 68) });
    this.viewer.homeButton.viewModel.command.beforeExecute.addEventListener((e) => {
      e.cancel = true;
      this.viewer.camera.flyTo({ destination: Cesium.Rectangle.fromDegrees(-15, 25, 65, 68), duration: 0.8 });
    });
  }

  // ----------------------------------------------------------------------------- camera state
  cameraState() {
    const c = this.viewer.camera;
    const carto = c.positionCartographic;
    const r = (x, n) => Math.round(x * 10 ** n) / 10 ** n;
    return [r(Cesium.Math.toDegrees(carto.longitude), 3), r(Cesium.Math.toDegrees(carto.latitude), 3),
      Math.round(carto.height), r(c.heading, 3), r(c.pitch, 3), r(c.roll, 3), this.scene.mode];
  }

  setCamera(cam) {
    if (!Array.isArray(cam) || cam.length < 6) return;
    const [lon, lat, h, heading, pitch, roll, mode] = cam;
    const apply = () => this.viewer.camera.setView({
      destination: Cesium.Cartesian3.fromDegrees(lon, lat, h), orientation: { heading, pitch, roll } });
    if (mode && mode !== this.scene.mode) {
      if (mode === Cesium.SceneMode.SCENE2D) this.scene.morphTo2D(0);
      else if (mode === Cesium.SceneMode.COLUMBUS_VIEW) this.scene.morphToColumbusView(0);
      else if (mode === Cesium.SceneMode.SCENE3D) this.scene.morphTo3D(0);
    }
    apply();
    this.render();
  }

  onCameraChanged(fn) {
    this.viewer.camera.moveEnd.addEventListener(fn);
    this.scene.morphComplete.addEventListener(fn);
  }

  // a tilted view of points [lat, lon(, alt_m)] so that heights (trajectories, fly-outs) show
  flyToPoints(points, { duration = 0.8 } = {}) {
    const pts = points.filter((p) => p && Number.isFinite(p[0]) && Number.isFinite(p[1]));
    if (!pts.length) return;
    const cart = pts.map((p) => Cesium.Cartesian3.fromDegrees(p[1], p[0], p[2] || 0));
    const sphere = Cesium.BoundingSphere.fromPoints(cart);
    const range = Math.max(600e3, sphere.radius * 2.6);
    if (this.scene.mode === Cesium.SceneMode.SCENE3D) {
      this.viewer.camera.flyToBoundingSphere(sphere, { duration,
        offset: new Cesium.HeadingPitchRange(0, Cesium.Math.toRadians(-50), range) });
    } else {
      const lats = pts.map((p) => p[0]);
      const lons = pts.map((p) => p[1]);
      const pad = 4;
      this.viewer.camera.flyTo({ duration, destination: Cesium.Rectangle.fromDegrees(
        Math.max(-180, Math.min(...lons) - pad), Math.max(-89, Math.min(...lats) - pad),
        Math.min(180, Math.max(...lons) + pad), Math.min(89, Math.max(...lats) + pad)) });
    }
  }

  // ----------------------------------------------------------------------------- coastlines and borders
  setBoundaries(kind, geojson) {
    const coll = new Cesium.PolylineCollection();
    const col = kind === "coast" ? color("#000000", 0.75) : color("#404040", 0.6);
    const width = kind === "coast" ? 1.2 : 1.0;
    const material = Cesium.Material.fromType("Color", { color: col }); // one material: one batch
    for (const f of geojson.features) {
      for (const line of f.geometry.coordinates) {
        const flat = [];
        for (const [x, y] of line) flat.push(x, y);
        coll.add({ positions: Cesium.Cartesian3.fromDegreesArray(flat), width, material });
      }
    }
    if (this.lines[kind]) this.scene.primitives.remove(this.lines[kind]);
    this.lines[kind] = this.scene.primitives.add(coll);
    this.render();
  }

  showBorders(on) {
    if (this.lines.borders) this.lines.borders.show = on;
    this.render();
  }

  // ----------------------------------------------------------------------------- entity layers
  _clear(name) {
    for (const e of this.layers[name]) this.entities.remove(e);
    this.layers[name] = [];
  }

  _add(name, spec) {
    const e = this.entities.add(spec);
    this.layers[name].push(e);
    return e;
  }

  setMarkers(launch, aim) {
    this._clear("markers");
    if (launch) this._add("markers", { position: Cesium.Cartesian3.fromDegrees(launch[1], launch[0]),
      point: { pixelSize: 9, color: color("#D55E00"), outlineColor: Cesium.Color.WHITE, outlineWidth: 1.5 },
      label: this._label("launch") });
    if (aim) this._add("markers", { position: Cesium.Cartesian3.fromDegrees(aim[1], aim[0]),
      point: { pixelSize: 9, color: color("#009E73"), outlineColor: Cesium.Color.WHITE, outlineWidth: 1.5 },
      label: this._label("aim") });
    this.render();
  }

  _label(text, dy = -14) {
    return { text, font: "12px sans-serif", fillColor: Cesium.Color.BLACK, outlineColor: Cesium.Color.WHITE,
      outlineWidth: 3, style: Cesium.LabelStyle.FILL_AND_OUTLINE, pixelOffset: new Cesium.Cartesian2(0, dy),
      disableDepthTestDistance: Number.POSITIVE_INFINITY };
  }

  // the threat, coloured by phase: boost (to burnout), midcourse, re-entry (from re-entry)
  setTrajectory(traj) {
    this._clear("trajectory");
    if (!traj) { this.render(); return; }
    const { t_s: t, lat, lon, alt_km: alt, events } = traj;
    const bo = events.burnout_s ?? -Infinity;
    const re = events.reentry_s ?? Infinity;
    const phaseOf = (x) => (x <= bo ? "boost" : x >= re ? "reentry" : "midcourse");
    let start = 0;
    const flush = (end, phase) => {
      const pos = [];
      for (let i = start; i <= end; i++) pos.push(lon[i], lat[i], alt[i] * 1000);
      if (pos.length >= 6) {
        this._add("trajectory", { name: `threat ${phase}`, polyline: {
          positions: Cesium.Cartesian3.fromDegreesArrayHeights(pos), width: phase === "boost" ? 5 : 3,
          arcType: Cesium.ArcType.NONE, material: color(PHASE_COLORS[phase]) } });
      }
    };
    for (let i = 1; i < t.length; i++) {
      if (phaseOf(t[i]) !== phaseOf(t[i - 1])) {
        flush(i, phaseOf(t[i - 1])); // the boundary sample joins both pieces
        start = i;
      }
    }
    flush(t.length - 1, phaseOf(t[t.length - 1]));
    this.render();
  }

  setSites(sites, kinds, selected) {
    this._clear("sites");
    this.sitePositions = {};
    for (const s of sites) {
      const ship = kinds[s.name] === "ship";
      this.sitePositions[s.name] = [s.lat, s.lon];
      this._add("sites", { id: `site:${s.name}`, name: s.name,
        position: Cesium.Cartesian3.fromDegrees(s.lon, s.lat),
        point: { pixelSize: s.name === selected ? 14 : 11, color: ship ? color("#56B4E9") : color("#000000"),
          outlineColor: s.name === selected ? color("#0072B2") : Cesium.Color.WHITE, outlineWidth: 2,
          disableDepthTestDistance: Number.POSITIVE_INFINITY },
        label: this._label(`${s.name} (${s.interceptor})`, -16) });
    }
    this.render();
  }

  setRadars(radars) {
    this._clear("radars");
    for (const r of radars) {
      const flat = [];
      for (let i = 0; i < r.outline.lat.length; i++) flat.push(r.outline.lon[i], r.outline.lat[i]);
      this._add("radars", { name: r.name, polyline: { positions: Cesium.Cartesian3.fromDegreesArray(flat), width: 1.5,
        material: color(SENSOR_COLOR, 0.9), clampToGround: false } });
      this._add("radars", { position: Cesium.Cartesian3.fromDegrees(r.lon, r.lat), point: { pixelSize: 6,
        color: color(SENSOR_COLOR) } });
    }
    this.render();
  }

  showRadars(on) {
    for (const e of this.layers.radars) e.show = on;
    this.render();
  }

  // interceptor fly-outs (re-flown paths, not chords): first intercept solid, last dashed
  setFlyouts(flyouts) {
    this._clear("flyouts");
    for (const f of flyouts || []) {
      const pos = [];
      for (let i = 0; i < f.t_s.length; i++) pos.push(f.lon[i], f.lat[i], f.alt_km[i] * 1000);
      const material = f.which === "first" ? color(FLYOUT_COLOR)
        : new Cesium.PolylineDashMaterialProperty({ color: color(FLYOUT_COLOR), dashLength: 12 });
      this._add("flyouts", { name: `${f.site} ${f.which} intercept`, polyline: {
        positions: Cesium.Cartesian3.fromDegreesArrayHeights(pos), width: 2.5, arcType: Cesium.ArcType.NONE,
        material } });
      const n = f.t_s.length - 1;
      this._add("flyouts", { position: Cesium.Cartesian3.fromDegrees(f.lon[n], f.lat[n], f.alt_km[n] * 1000),
        point: { pixelSize: 7, color: color(FLYOUT_COLOR), outlineColor: Cesium.Color.WHITE, outlineWidth: 1 } });
    }
    this.render();
  }

  // ----------------------------------------------------------------------------- gridded overlays
  async _overlay(name, grid, colorOf) {
    const { lat_deg: lats, lon_deg: lons } = grid;
    const g = grid.grid_deg;
    const ny = lats.length;
    const nx = lons.length;
    const px = Math.max(1, Math.min(8, Math.floor(2048 / Math.max(nx, ny))));
    const canvas = document.createElement("canvas");
    canvas.width = nx * px;
    canvas.height = ny * px;
    const ctx = canvas.getContext("2d");
    for (let i = 0; i < ny; i++) {
      for (let j = 0; j < nx; j++) {
        const c = colorOf(i, j);
        if (!c) continue;
        ctx.fillStyle = c;
        ctx.fillRect(j * px, (ny - 1 - i) * px, px, px); // rows run south to north
      }
    }
    const rect = Cesium.Rectangle.fromDegrees(lons[0] - g / 2, lats[0] - g / 2, lons[nx - 1] + g / 2,
      lats[ny - 1] + g / 2);
    const provider = await Cesium.SingleTileImageryProvider.fromUrl(canvas.toDataURL("image/png"),
      { rectangle: rect });
    const layer = new Cesium.ImageryLayer(provider, { alpha: 1.0 });
    layer.magnificationFilter = Cesium.TextureMagnificationFilter.NEAREST;
    layer.minificationFilter = Cesium.TextureMinificationFilter.NEAREST;
    this.clearOverlay(name);
    this.overlay[name] = layer;
    this.viewer.imageryLayers.add(layer);
    this.render();
  }

  clearOverlay(name) {
    if (this.overlay[name]) {
      this.viewer.imageryLayers.remove(this.overlay[name], true);
      this.overlay[name] = null;
      this.render();
    }
  }

  setFootprint(fp, palette) {
    const cls = [null, palette.threatened_not_defended, palette.defended];
    const rgba = (hex, a) => {
      const c = Cesium.Color.fromCssColorString(hex);
      return `rgba(${Math.round(c.red * 255)},${Math.round(c.green * 255)},${Math.round(c.blue * 255)},${a})`;
    };
    const fills = [null, rgba(cls[1], 0.55), rgba(cls[2], 0.55)];
    return this._overlay("footprint", fp, (i, j) => fills[fp.classes[i][j]]);
  }

  setEnvelope(env, colorOf) {
    return this._overlay("envelope", env, (i, j) => colorOf(env.safe_vbo_kms[i][j]));
  }

  // ----------------------------------------------------------------------------- picking and dragging
  pickPoint(callback) {
    this.pickCallback = callback;
  }

  _cartoAt(position) {
    const cart = this.viewer.camera.pickEllipsoid(position, this.scene.globe.ellipsoid);
    if (!cart) return null;
    const c = Cesium.Cartographic.fromCartesian(cart);
    return [Cesium.Math.toDegrees(c.latitude), Cesium.Math.toDegrees(c.longitude)];
  }

  _siteAt(position) {
    const picked = this.scene.pick(position);
    const id = picked && picked.id && picked.id.id;
    return typeof id === "string" && id.startsWith("site:") ? id.slice(5) : null;
  }

  _wireMouse() {
    const h = new Cesium.ScreenSpaceEventHandler(this.scene.canvas);
    const ctl = this.scene.screenSpaceCameraController;
    h.setInputAction((ev) => {
      if (this.pickCallback) return;
      const name = this._siteAt(ev.position);
      if (name) {
        this.dragging = { name, moved: false };
        ctl.enableInputs = false;
      }
    }, Cesium.ScreenSpaceEventType.LEFT_DOWN);
    h.setInputAction((ev) => {
      if (!this.dragging) return;
      const ll = this._cartoAt(ev.endPosition);
      if (!ll) return;
      this.dragging.moved = true;
      this.dragging.ll = ll;
      const e = this.entities.getById(`site:${this.dragging.name}`);
      if (e) e.position = Cesium.Cartesian3.fromDegrees(ll[1], ll[0]);
      this.render();
    }, Cesium.ScreenSpaceEventType.MOUSE_MOVE);
    h.setInputAction(() => {
      if (!this.dragging) return;
      const d = this.dragging;
      this.dragging = null;
      ctl.enableInputs = true;
      if (d.moved && d.ll) this.handlers.onSiteMoved(d.name, d.ll[0], d.ll[1]);
      else this.handlers.onSiteSelected(d.name);
    }, Cesium.ScreenSpaceEventType.LEFT_UP);
    h.setInputAction((ev) => {
      if (!this.pickCallback) return;
      const ll = this._cartoAt(ev.position);
      if (!ll) return;
      const cb = this.pickCallback;
      this.pickCallback = null;
      cb(ll[0], ll[1]);
    }, Cesium.ScreenSpaceEventType.LEFT_CLICK);
  }

  // pixel of a site on screen (for tests and for dragging by keyboard-less automation)
  siteWindowPosition(name) {
    const p = this.sitePositions[name];
    if (!p) return null;
    const w = Cesium.SceneTransforms.worldToWindowCoordinates(this.scene, Cesium.Cartesian3.fromDegrees(p[1], p[0]));
    return w ? [w.x, w.y] : null;
  }
}
