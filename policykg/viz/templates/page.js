// PolicyKG network page. All text from the data goes into the page through textContent, canvas
// labels or DOM elements built here, never through innerHTML: a label with markup shows as text.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("policykg-data").textContent);
  var UI = {
    en: { search: "Search in 中文 or English", nodes: "nodes", links: "links", found: " found", none: "nothing found",
          legend: "Classes (click to filter)", reset: "Reset view", cls: "Class", sources: "Stated in",
          nosources: "No source claim about it", help: "Click a node to highlight its neighbours; click the background to clear. Hover for details." },
    zh: { search: "搜索（中文或英文）", nodes: "个节点", links: "条连线", found: " 个结果", none: "未找到",
          legend: "类别（点击筛选）", reset: "重置视图", cls: "类别", sources: "来源",
          nosources: "无来源陈述", help: "点击节点以突出显示其相邻节点；点击空白处取消。悬停查看详情。" }
  };
  var lang = data.lang === "zh" ? "zh" : "en";
  var groups = {};
  data.groups.forEach(function (g) { groups[g.key] = g; });
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var hidden = {};          // group key -> true when filtered out
  var highlighted = null;   // id of the clicked node

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function other(l) { return l === "en" ? "zh" : "en"; }
  function short(s) { return s.length > 26 ? s.slice(0, 25) + "…" : s; }

  function nodeTip(n) {
    var box = el("div", "tip");
    box.appendChild(el("div", "tip-label", n.l[lang]));
    if (n.l[other(lang)] !== n.l[lang]) { box.appendChild(el("div", "tip-other", n.l[other(lang)])); }
    box.appendChild(el("div", "tip-class", UI[lang].cls + ": " + n.t[lang]));
    if (n.src.length) {
      box.appendChild(el("div", null, UI[lang].sources + ":"));
      var ul = el("ul", "tip-sources");
      n.src.forEach(function (s) { ul.appendChild(el("li", null, s[lang])); });
      box.appendChild(ul);
    } else {
      box.appendChild(el("div", "tip-other", UI[lang].nosources));
    }
    box.appendChild(el("div", "tip-iri", n.id));
    return box;
  }
  function edgeTip(e) {
    var box = el("div", "tip");
    box.appendChild(el("div", "tip-label", e.l[lang]));
    box.appendChild(el("div", "tip-other", byId[e.from].l[lang] + " → " + byId[e.to].l[lang]));
    if (e.src.length) {
      box.appendChild(el("div", null, UI[lang].sources + ":"));
      var ul = el("ul", "tip-sources");
      e.src.forEach(function (s) { ul.appendChild(el("li", null, s[lang])); });
      box.appendChild(ul);
    }
    return box;
  }
  function nodeColor(n, dim) {
    var c = dim ? "#e4e4e4" : groups[n.g].color;
    return { background: c, border: dim ? "#d0d0d0" : "#555", highlight: { background: c, border: "#000" },
             hover: { background: c, border: "#000" } };
  }
  function visNode(n) {
    var g = groups[n.g];
    return { id: n.id, label: short(n.l[lang]), title: nodeTip(n), x: n.x, y: n.y, shape: g.shape, size: n.s,
             color: nodeColor(n, false), font: { size: 14, color: "#222" }, hidden: !!hidden[n.g] };
  }
  function visEdge(e, i) {
    return { id: "e" + i, from: e.from, to: e.to, width: e.w, title: edgeTip(e),
             label: data.edgeLabels ? e.l[lang] : undefined, arrows: data.directed ? "to" : undefined,
             color: { color: "#9a9a9a", highlight: "#333", hover: "#333" }, font: { size: 11, color: "#555" } };
  }

  var nodes = new vis.DataSet(data.nodes.map(visNode));
  var edges = new vis.DataSet(data.edges.map(visEdge));
  var big = data.nodes.length > 1000;
  var network = new vis.Network(document.getElementById("net"), { nodes: nodes, edges: edges }, {
    physics: false,
    layout: { improvedLayout: false },
    nodes: { borderWidth: 1 },
    edges: { smooth: false, selectionWidth: 2 },
    interaction: { hover: !big, tooltipDelay: 150, hideEdgesOnDrag: big, hideEdgesOnZoom: big }
  });
  var state = { drawnAt: null, lang: lang, matches: [], highlighted: null, neighbours: [] };
  network.once("afterDrawing", function () {
    state.drawnAt = performance.now();
    document.body.setAttribute("data-ready", "1");
  });

  // ------------------------------------------------------------------ highlight on click
  function highlight(id) {
    var keep = {};
    keep[id] = true;
    network.getConnectedNodes(id).forEach(function (m) { keep[m] = true; });
    highlighted = id;
    nodes.update(data.nodes.map(function (n) {
      return { id: n.id, color: nodeColor(n, !keep[n.id]), font: { size: 14, color: keep[n.id] ? "#222" : "#c8c8c8" } };
    }));
    state.highlighted = id;
    state.neighbours = Object.keys(keep).filter(function (k) { return k !== id; }).sort();
  }
  function clearHighlight() {
    if (highlighted === null) { return; }
    highlighted = null;
    nodes.update(data.nodes.map(function (n) { return { id: n.id, color: nodeColor(n, false), font: { size: 14, color: "#222" } }; }));
    state.highlighted = null;
    state.neighbours = [];
  }
  network.on("click", function (p) {
    if (p.nodes.length) { highlight(p.nodes[0]); } else { clearHighlight(); }
  });

  // ------------------------------------------------------------------ search (either language)
  var results = document.getElementById("results");
  function search(q) {
    q = (q || "").trim().toLowerCase();
    while (results.firstChild) { results.removeChild(results.firstChild); }
    var status = document.getElementById("search-status");
    if (!q) { state.matches = []; status.textContent = ""; network.unselectAll(); return []; }
    var ids = data.nodes.filter(function (n) {
      if (hidden[n.g]) { return false; }
      return [n.l.en, n.l.zh].concat(n.alt).some(function (s) { return s.toLowerCase().indexOf(q) >= 0; });
    }).map(function (n) { return n.id; });
    state.matches = ids;
    status.textContent = ids.length ? ids.length + UI[lang].found : UI[lang].none;
    status.setAttribute("data-count", String(ids.length));
    ids.slice(0, 30).forEach(function (id) {
      var li = el("li", null, byId[id].l[lang]);
      li.addEventListener("click", function () { network.focus(id, { scale: 1.2 }); network.selectNodes([id]); highlight(id); });
      results.appendChild(li);
    });
    network.selectNodes(ids);
    if (ids.length === 1) { network.focus(ids[0], { scale: 1.2 }); }
    else if (ids.length > 1) { network.fit({ nodes: ids }); }
    return ids;
  }
  var searchBox = document.getElementById("search");
  searchBox.addEventListener("input", function () { search(searchBox.value); });

  // ------------------------------------------------------------------ filter by class
  function filter(key, show) {
    hidden[key] = !show;
    nodes.update(data.nodes.filter(function (n) { return n.g === key; }).map(function (n) { return { id: n.id, hidden: !show }; }));
  }
  var legend = document.getElementById("legend");
  var GLYPH = { dot: "●", diamond: "◆", square: "■", triangle: "▲", triangleDown: "▼", star: "★", hexagon: "⬢" };
  function drawLegend() {
    while (legend.firstChild) { legend.removeChild(legend.firstChild); }
    data.groups.forEach(function (g) {
      var li = el("li");
      var box = el("input");
      box.type = "checkbox";
      box.checked = !hidden[g.key];
      box.setAttribute("data-group", g.key);
      box.addEventListener("change", function () { filter(g.key, box.checked); });
      var glyph = el("span", "glyph", GLYPH[g.shape] || "●");
      glyph.style.color = g.color;
      var label = el("label", null, g[lang]);
      label.addEventListener("click", function () { box.click(); });
      li.appendChild(box); li.appendChild(glyph); li.appendChild(label); li.appendChild(el("span", "count", String(g.count)));
      legend.appendChild(li);
    });
  }

  // ------------------------------------------------------------------ language switch
  function setLang(l) {
    lang = l === "zh" ? "zh" : "en";
    state.lang = lang;
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.getElementById("title").textContent = data.title[lang];
    document.title = data.title[lang] + " — PolicyKG";
    document.getElementById("counts").textContent =
      data.nodes.length + " " + UI[lang].nodes + " · " + data.edges.length + " " + UI[lang].links;
    searchBox.placeholder = UI[lang].search;
    document.getElementById("legend-title").textContent = UI[lang].legend;
    document.getElementById("reset").textContent = UI[lang].reset;
    document.getElementById("help").textContent = UI[lang].help;
    Array.prototype.forEach.call(document.querySelectorAll("#langs button"), function (b) {
      b.className = b.getAttribute("data-lang") === lang ? "on" : "";
    });
    var nav = document.getElementById("nav");
    while (nav.firstChild) { nav.removeChild(nav.firstChild); }
    data.nav.forEach(function (p) {
      var a = el("a", p.current ? "current" : null, p[lang]);
      a.setAttribute("href", p.href);
      nav.appendChild(a);
    });
    drawLegend();
    nodes.update(data.nodes.map(function (n) { return { id: n.id, label: short(n.l[lang]), title: nodeTip(n) }; }));
    edges.update(data.edges.map(function (e, i) {
      return { id: "e" + i, title: edgeTip(e), label: data.edgeLabels ? e.l[lang] : undefined };
    }));
    if (searchBox.value) { search(searchBox.value); }
  }
  Array.prototype.forEach.call(document.querySelectorAll("#langs button"), function (b) {
    b.addEventListener("click", function () { setLang(b.getAttribute("data-lang")); });
  });
  document.getElementById("reset").addEventListener("click", function () {
    searchBox.value = ""; search(""); clearHighlight();
    data.groups.forEach(function (g) { if (hidden[g.key]) { filter(g.key, true); } });
    drawLegend(); network.fit();
  });
  document.getElementById("counts").setAttribute("data-nodes", String(data.nodes.length));
  document.getElementById("counts").setAttribute("data-edges", String(data.edges.length));
  setLang(lang);

  window.policykg = { network: network, nodes: nodes, edges: edges, state: state, search: search,
                      filter: filter, highlight: highlight, clearHighlight: clearHighlight, setLang: setLang };
}());
