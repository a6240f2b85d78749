/* The situation overview: draws each map (Leaflet over the shipped admin boundaries; no tile
   server needed) from the data in <script type="application/json"> elements written by the
   server. The charts are drawn by charts.js. */
(function () {
  "use strict";
  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  // Tooltips get text nodes: Leaflet puts a string in as HTML, and names come from data
  // (a site registry, a boundary file), not from us.
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span;
  }

  document.querySelectorAll("[data-map]").forEach(function (el) {
    var data = json(el.getAttribute("data-map"));
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: true });
    if (data.tiles) {
      L.tileLayer(data.tiles, { maxZoom: 12, attribution: "" }).addTo(map);
    }
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    fetch(data.boundaries, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        var layer = L.geoJSON(geo, {
          style: { color: "#8a97a8", weight: 1, fillColor: "#e3e9f0", fillOpacity: 0.7 },
          attribution: data.attribution,
          onEachFeature: function (f, l) { l.bindTooltip(text(f.properties.name)); }
        }).addTo(map);
        map.fitBounds(layer.getBounds());
        var legend = {};
        data.points.forEach(function (p) {
          var m = L.circleMarker([p.lat, p.lon], {
            radius: 6, color: "#fff", weight: 1, fillColor: p.color, fillOpacity: 0.95
          }).addTo(map);
          m.bindTooltip(text(p.name + " — " + p.status));
          if (p.url) { m.on("click", function () { window.location = p.url; }); }
          legend[p.status] = p.color;
        });
        var control = L.control({ position: "bottomleft" });
        control.onAdd = function () {
          var div = L.DomUtil.create("div", "map-legend");
          Object.keys(legend).forEach(function (label) {
            var row = L.DomUtil.create("div", "", div);
            var dot = L.DomUtil.create("i", "", row);
            dot.style.background = legend[label];
            row.appendChild(document.createTextNode(label));
          });
          return div;
        };
        control.addTo(map);
        el.setAttribute("data-drawn", "1");
      });
  });

  var date = document.getElementById("as-of");
  if (date) {
    date.addEventListener("change", function () {
      if (date.value) { document.getElementById("overview-filters").submit(); }
    });
  }
})();
