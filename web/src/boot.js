// Loaded before CesiumJS (5 MB to parse): start the page's first API requests at once.
(function () {
  const get = (url) => fetch(url, { headers: { accept: "application/json" } });
  window.__prefetch = {
    "/api/meta": get("/api/meta"),
    "/api/scenarios": get("/api/scenarios"),
    "/api/catalog/interceptors": get("/api/catalog/interceptors"),
    "/api/catalog/missiles": get("/api/catalog/missiles"),
    "/api/map/coast?resolution=l": get("/api/map/coast?resolution=l"),
    "/api/map/borders?resolution=l": get("/api/map/borders?resolution=l"),
  };
}());
