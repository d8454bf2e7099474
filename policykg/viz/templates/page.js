// PolicyKG network page. All text from the data goes into the page through textContent, canvas
// labels or DOM elements built here, never through innerHTML: a label with markup shows as text.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("policykg-data").textContent);
  var UI = {
    en: { search: "Search: 中文 or English label, key, document number", nodes: "nodes", links: "links",
          found: " found", none: "nothing found", legend: "Classes (click to filter)",
          relations: "Relations (click to filter)", reset: "Reset view", cls: "Class", sources: "Stated in",
          nosources: "No source claim about it", time: "Time: documents in force",
          from: "from", to: "to", undated: "show undated", path: "Path between two entities",
          pathFrom: "from (label, key or number)", pathTo: "to (label, key or number)", pathGo: "Show path",
          pathExit: "Back", pathNone: "no path between them", pathUnknown: "not found: ", pathLen: " steps",
          expand: "Expand neighbours", expanded: "all neighbours shown", pathFromHere: "Path from here",
          pathToHere: "Path to here", openGroup: "Open group", closeGroup: "Close group",
          def: "Definition", codes: "Codes", date: "Issued", years: "Years", passages: "Passages (characters)",
          links2: "Links", more: " more", member: "In group", alt: "Also called",
          help: "Click a node for its details and neighbours; the panel expands it. Click a group to open it. " +
                "Labels of the less linked nodes appear as you zoom in. Hover a link for its relation." },
    zh: { search: "搜索：中英文名称、键或文号", nodes: "个节点", links: "条连线", found: " 个结果", none: "未找到",
          legend: "类别（点击筛选）", relations: "关系（点击筛选）", reset: "重置视图", cls: "类别",
          sources: "来源", nosources: "无来源陈述", time: "时间：有效期内的文件", from: "起", to: "止",
          undated: "显示无日期项", path: "两个实体之间的路径", pathFrom: "起点（名称、键或文号）",
          pathTo: "终点（名称、键或文号）", pathGo: "显示路径", pathExit: "返回", pathNone: "两者之间没有路径",
          pathUnknown: "未找到：", pathLen: " 步", expand: "展开相邻节点", expanded: "相邻节点已全部显示",
          pathFromHere: "从此处出发的路径", pathToHere: "到此处的路径", openGroup: "展开分组", closeGroup: "收起分组",
          def: "定义", codes: "编码", date: "发布日期", years: "年份", passages: "出处（字符位置）",
          links2: "连线", more: " 项未列出", member: "所属分组", alt: "别名",
          help: "点击节点查看详情及相邻节点；在面板中可展开。点击分组以展开。放大后显示次要节点的名称。悬停连线查看关系。" }
  };
  var lang = data.lang === "zh" ? "zh" : "en";
  var FACE = '"' + data.font + '", "Noto Sans CJK SC", sans-serif';
  var groups = {}, relStyle = {}, byId = {}, adj = {};
  data.groups.forEach(function (g) { groups[g.key] = g; });
  data.rels.forEach(function (r) { relStyle[r.key] = r; });
  data.nodes.forEach(function (n) {
    byId[n.id] = n; adj[n.id] = [];
    n.k = n.id.indexOf(data.base) === 0 ? n.id.slice(data.base.length) : n.id;
    n.t = data.types[n.t]; n.alt = n.alt || []; n.src = n.src || [];
  });
  data.edges.forEach(function (e, i) {
    e.id = "e" + i; e.from = data.nodes[e.a].id; e.to = data.nodes[e.b].id; e.src = e.src || []; e.w = e.w || 1;
    adj[e.from].push(i); adj[e.to].push(i);
  });
  var hiddenClass = {}, hiddenRel = {};
  var shown = {};            // id -> revealed (focus pages reveal by expanding, groups by opening)
  var open = {};             // group id -> opened
  data.nodes.forEach(function (n) { shown[n.id] = n.v !== 0; });
  var years = (function () {
    var lo = Infinity, hi = -Infinity;
    data.nodes.forEach(function (n) { if (n.yr) { lo = Math.min(lo, n.yr[0]); hi = Math.max(hi, n.yr[1]); } });
    return lo <= hi ? { min: lo, max: hi, from: lo, to: hi, undated: true } : null;
  }());
  var state = { drawnAt: null, lang: lang, matches: [], highlighted: null, neighbours: [], path: [], pathEdges: [],
                selected: null, years: years ? [years.from, years.to] : null, visible: 0 };
  var network = null, nodes = null, edges = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function other(l) { return l === "en" ? "zh" : "en"; }
  function short(s) { return s.length > 26 ? s.slice(0, 25) + "…" : s; }
  function relName(k) { return relStyle[k] ? relStyle[k][lang] : k; }
  function edgeText(e) { return e.l ? e.l[lang] : e.r.map(relName).join(lang === "zh" ? "，" : ", "); }

  // ------------------------------------------------------------------ what is visible
  function timeOk(n) {
    if (!years || !state.years) { return true; }
    if (!n.yr) { return null; }      // undated: decided by its neighbours (or the check box)
    return n.yr[1] >= state.years[0] && n.yr[0] <= state.years[1];
  }
  function timeActive() { return years && (state.years[0] > years.min || state.years[1] < years.max); }
  function edgeOn(e) { return e.r.some(function (r) { return !hiddenRel[r]; }); }
  function computeVisible() {
    var vis = {}, inPath = {};
    state.path.forEach(function (id) { inPath[id] = true; });
    var pathMode = state.path.length > 0;
    data.nodes.forEach(function (n) {
      if (pathMode) { vis[n.id] = !!inPath[n.id]; return; }
      if (!shown[n.id] || hiddenClass[n.g]) { vis[n.id] = false; return; }
      if (n.m && open[n.id]) { vis[n.id] = false; return; }
      var t = timeOk(n);
      vis[n.id] = t === null ? "?" : t;
    });
    if (!pathMode) {
      // undated nodes: hidden when the time filter is on and none of their dated neighbours is in range
      data.nodes.forEach(function (n) {
        if (vis[n.id] !== "?") { return; }
        if (!timeActive()) { vis[n.id] = true; return; }
        var dated = false, any = false;
        adj[n.id].forEach(function (i) {
          var e = data.edges[i], m = byId[e.from === n.id ? e.to : e.from];
          if (m.yr) { dated = true; if (vis[m.id] === true) { any = true; } }
        });
        vis[n.id] = dated ? any : years.undated;
      });
    }
    return vis;
  }
  var inSet = {};            // edge id -> in the vis DataSet (edges join it once both ends are revealed)
  function refresh() {
    var vis = computeVisible(), pathEdge = {};
    state.pathEdges.forEach(function (id) { pathEdge[id] = true; });
    var count = 0, add = [], upd = [];
    nodes.update(data.nodes.map(function (n) {
      if (vis[n.id]) { count++; }
      return { id: n.id, hidden: !vis[n.id] };
    }));
    data.edges.forEach(function (e) {
      var want = (shown[e.from] && shown[e.to]) || pathEdge[e.id];
      if (!want && !inSet[e.id]) { return; }
      var on = vis[e.from] && vis[e.to] && edgeOn(e);
      if (state.path.length) { on = !!pathEdge[e.id]; }
      var item = { id: e.id, hidden: !on, label: state.path.length && on ? edgeText(e) : (data.edgeLabels ? edgeText(e) : undefined) };
      if (state.path.length && on) { item.font = { face: FACE, size: 20, color: "#333", strokeWidth: 4, strokeColor: "#fff", align: "middle" }; }
      if (inSet[e.id]) { upd.push(item); } else { inSet[e.id] = true; add.push(Object.assign(visEdge(e), item)); }
    });
    if (upd.length) { edges.update(upd); }
    if (add.length) { edges.add(add); }
    state.visible = count;
    state.visibleEdges = upd.concat(add).filter(function (x) { return !x.hidden; }).length;
    counts();
  }
  function counts() {
    var U = UI[lang], box = document.getElementById("counts");
    var nodesText = state.visible === data.nodes.length ? String(data.nodes.length) : state.visible + " / " + data.nodes.length;
    var edgesText = state.visibleEdges === data.edges.length ? String(data.edges.length) : state.visibleEdges + " / " + data.edges.length;
    box.textContent = nodesText + " " + U.nodes + " · " + edgesText + " " + U.links;
  }

  // ------------------------------------------------------------------ tooltips and vis items
  function sourceList(box, src) {
    if (!src.length) { return; }
    box.appendChild(el("div", null, UI[lang].sources + ":"));
    var ul = el("ul", "tip-sources");
    src.forEach(function (s) { ul.appendChild(el("li", null, s[lang])); });
    box.appendChild(ul);
  }
  function nodeTip(n) {
    var box = el("div", "tip");
    box.appendChild(el("div", "tip-label", n.l[lang]));
    if (n.l[other(lang)] !== n.l[lang]) { box.appendChild(el("div", "tip-other", n.l[other(lang)])); }
    box.appendChild(el("div", "tip-class", UI[lang].cls + ": " + n.t[lang]));
    if (n.src.length) { sourceList(box, n.src); } else if (!n.m) { box.appendChild(el("div", "tip-other", UI[lang].nosources)); }
    box.appendChild(el("div", "tip-iri", n.id));
    return box;
  }
  function edgeTip(e) {
    var box = el("div", "tip");
    box.appendChild(el("div", "tip-label", edgeText(e)));
    box.appendChild(el("div", "tip-other", byId[e.from].l[lang] + " → " + byId[e.to].l[lang]));
    sourceList(box, e.src);
    return box;
  }
  function nodeColor(n, dim) {
    var c = dim ? "#e4e4e4" : groups[n.g].color;
    return { background: c, border: dim ? "#d0d0d0" : "#555", highlight: { background: c, border: "#000" },
             hover: { background: c, border: "#000" } };
  }
  function fontFor(n, dim) {
    return { face: FACE, size: n.i ? 44 : 13, color: dim ? "#c8c8c8" : "#222", strokeWidth: n.i ? 4 : 2, strokeColor: "#fff" };
  }
  function visNode(n) {
    var g = groups[n.g];
    var item = { id: n.id, label: short(n.l[lang]), shape: g.shape, size: n.s,
                 color: nodeColor(n, false), font: fontFor(n, false), hidden: true };
    if (n.x !== undefined) { item.x = n.x; item.y = n.y; }
    if (n.m) { item.borderWidth = 3; item.shapeProperties = { borderDashes: [6, 3] }; }
    return item;
  }
  function edgeColor(e, dim) {
    var st = relStyle[e.r[0]] || { color: "#999" };
    return { color: dim ? "#eeeeee" : st.color, highlight: "#222", hover: "#222", opacity: dim ? 0.5 : 0.85 };
  }
  function visEdge(e) {
    var st = relStyle[e.r[0]] || {};
    return { id: e.id, from: e.from, to: e.to, width: e.w, hidden: true,
             dashes: st.dash || false, arrows: data.directed ? { to: { enabled: true, scaleFactor: 0.5 } } : undefined,
             color: edgeColor(e, false), font: { face: FACE, size: 12, color: "#333", strokeWidth: 3, strokeColor: "#fff", align: "middle" } };
  }

  // ------------------------------------------------------------------ start (after the font is ready)
  var starting = true;
  function start() {
    nodes = new vis.DataSet(data.nodes.map(visNode));
    edges = new vis.DataSet([]);
    // the page's controls and what is visible first, so that the network draws once
    wire();
    setLang(lang);
    starting = false;
    refresh();
    var big = data.nodes.length > 1500;
    network = new vis.Network(document.getElementById("net"), { nodes: nodes, edges: edges }, {
      physics: false,
      layout: { improvedLayout: false, randomSeed: 1 },
      nodes: { borderWidth: 1, scaling: { label: { drawThreshold: 8, maxVisible: 22 } } },
      edges: { smooth: false, selectionWidth: 2, hoverWidth: 1.5 },
      interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, hideEdgesOnZoom: big }
    });
    network.fit();
    network.once("afterDrawing", function () {
      state.drawnAt = performance.now();
      document.body.setAttribute("data-ready", "1");
    });
    network.on("click", function (p) {
      if (p.nodes.length) { select(p.nodes[0]); } else if (!p.edges.length) { clearHighlight(); }
    });
    network.on("hoverEdge", function (p) { showEdgeLabel(p.edge, true); tip(p.edge, false); });
    network.on("hoverNode", function (p) { tip(p.node, true); });
    network.on("blurEdge", function (p) { showEdgeLabel(p.edge, false); });
    if (location.hash.indexOf("#path=") === 0) {
      var ends = decodeURIComponent(location.hash.slice(6)).split("|");
      if (ends.length === 2) { pathBetween(ends[0], ends[1]); }
    }
    window.policykg = { network: network, nodes: nodes, edges: edges, state: state, search: search, filter: filter,
                        filterRel: filterRel, highlight: highlight, clearHighlight: clearHighlight, setLang: setLang,
                        expand: expand, openGroup: openGroup, closeGroup: closeGroup, path: pathBetween,
                        exitPath: exitPath, setYears: setYears, select: select, find: find, data: data };
  }

  // tooltips are built when first hovered (and again after a language switch), not for every item up front
  var tipped = {};
  function tip(id, isNode) {
    if (tipped[id] === lang) { return; }
    tipped[id] = lang;
    if (isNode) { nodes.update({ id: id, title: nodeTip(byId[id]) }); }
    else { edges.update({ id: id, title: edgeTip(data.edges[+id.slice(1)]) }); }
  }

  // ------------------------------------------------------------------ labels of links on hover and selection
  var labelled = {};
  function showEdgeLabel(id, on) {
    var e = data.edges[+id.slice(1)];
    if (!e || data.edgeLabels || state.path.length) { return; }
    if (on) { labelled[id] = (labelled[id] || 0) + 1; } else if (labelled[id]) { labelled[id] -= 1; }
    edges.update({ id: id, label: labelled[id] ? edgeText(e) : undefined });
  }

  // ------------------------------------------------------------------ highlight and side panel
  var sel = [];
  function highlight(id) {
    var keep = {};
    keep[id] = true;
    sel.forEach(function (eid) { showEdgeLabel(eid, false); });
    sel = [];
    adj[id].forEach(function (i) {
      var e = data.edges[i];
      if (nodes.get(e.from).hidden || nodes.get(e.to).hidden) { return; }
      keep[e.from] = true; keep[e.to] = true;
      sel.push(e.id);
    });
    sel.forEach(function (eid) { showEdgeLabel(eid, true); });
    state.highlighted = id;
    nodes.update(data.nodes.map(function (n) { return { id: n.id, color: nodeColor(n, !keep[n.id]), font: fontFor(n, !keep[n.id]) }; }));
    state.neighbours = Object.keys(keep).filter(function (k) { return k !== id; }).sort();
  }
  function clearHighlight() {
    sel.forEach(function (eid) { showEdgeLabel(eid, false); });
    sel = [];
    if (state.highlighted === null) { return; }
    state.highlighted = null;
    state.neighbours = [];
    nodes.update(data.nodes.map(function (n) { return { id: n.id, color: nodeColor(n, false), font: fontFor(n, false) }; }));
  }
  function select(id) {
    var n = byId[id];
    if (!n) { return; }
    if (n.m && !open[id]) { openGroup(id); }
    if (n.agg && !open[n.agg]) { openGroup(n.agg, false); }
    if (!shown[id]) { shown[id] = true; place([id], null); refresh(); }
    state.selected = id;
    if (n.m) { clearHighlight(); } else { highlight(id); }
    network.selectNodes([id]);
    panel(id);
  }
  function hiddenNeighbours(id) {
    return adj[id].map(function (i) { var e = data.edges[i]; return e.from === id ? e.to : e.from; })
      .filter(function (m, k, all) { return !shown[m] && all.indexOf(m) === k; });
  }
  function panel(id) {
    var n = byId[id], box = document.getElementById("panel-body"), p = n.p || {}, U = UI[lang];
    clear(box);
    document.getElementById("panel").hidden = false;
    box.appendChild(el("h3", null, n.l[lang]));
    if (n.l[other(lang)] !== n.l[lang]) { box.appendChild(el("div", "other", n.l[other(lang)])); }
    box.appendChild(el("div", "cls", U.cls + ": " + n.t[lang]));
    box.appendChild(el("div", "key", n.k));
    var acts = el("div", "actions");
    if (n.m) {
      var b0 = el("button", null, open[id] ? U.closeGroup : U.openGroup);
      b0.addEventListener("click", function () { if (open[id]) { closeGroup(id); } else { openGroup(id); } panel(id); });
      acts.appendChild(b0);
    } else {
      var hid = hiddenNeighbours(id);
      var b1 = el("button", "expand", hid.length ? U.expand + " (" + hid.length + ")" : U.expanded);
      b1.disabled = !hid.length;
      b1.addEventListener("click", function () { expand(id); panel(id); });
      acts.appendChild(b1);
      var b2 = el("button", null, U.pathFromHere);
      b2.addEventListener("click", function () { document.getElementById("path-from").value = n.k; });
      var b3 = el("button", null, U.pathToHere);
      b3.addEventListener("click", function () { document.getElementById("path-to").value = n.k; });
      acts.appendChild(b2); acts.appendChild(b3);
    }
    box.appendChild(acts);
    var dl = el("dl");
    function row(title, value) { dl.appendChild(el("dt", null, title)); if (value) { dl.appendChild(el("dd", null, value)); } }
    if (p.def) { row(U.def, p.def[lang] || p.def[other(lang)]); }
    if (p.codes) { row(U.codes); p.codes.forEach(function (c) { dl.appendChild(el("dd", null, c[lang] + ": " + c.v)); }); }
    if (p.date) { row(U.date, p.date); }
    if (n.yr) { row(U.years, n.yr[0] === n.yr[1] ? String(n.yr[0]) : n.yr[0] + "–" + n.yr[1]); }
    if (n.alt.length) { row(U.alt, n.alt.join(" · ")); }
    if (n.agg) { row(U.member, byId[n.agg].l[lang]); }
    if (p.loc) {
      row(U.passages);
      p.loc.forEach(function (s) {
        var spans = s.spans.map(function (x) { return x[0] + "–" + x[1]; }).join(", ");
        if (s.n > s.spans.length) { spans += " (+" + (s.n - s.spans.length) + U.more + ")"; }
        dl.appendChild(el("dd", null, s[lang] + ": " + spans));
      });
    } else if (n.src.length) {
      row(U.sources);
      n.src.forEach(function (s) { dl.appendChild(el("dd", null, s[lang])); });
    }
    // links by relation, each neighbour clickable
    var byRel = {};
    adj[id].forEach(function (i) {
      var e = data.edges[i], m = e.from === id ? e.to : e.from;
      var key = edgeText(e) + (e.from === id ? " →" : " ←");
      (byRel[key] = byRel[key] || []).push(m);
    });
    var keys = Object.keys(byRel).sort();
    if (keys.length) { row(U.links2); }
    keys.forEach(function (k) {
      var dd = el("dd", "rel");
      dd.appendChild(el("span", null, k + " "));
      byRel[k].slice(0, 12).forEach(function (m, j) {
        if (j) { dd.appendChild(document.createTextNode(" · ")); }
        var a = el("a", null, byId[m].l[lang]);
        a.addEventListener("click", function () { select(m); network.focus(m, { scale: Math.max(network.getScale(), 0.8), animation: false }); });
        dd.appendChild(a);
      });
      if (byRel[k].length > 12) { dd.appendChild(document.createTextNode(" (+" + (byRel[k].length - 12) + U.more + ")")); }
      dl.appendChild(dd);
    });
    box.appendChild(dl);
  }

  // ------------------------------------------------------------------ expand and groups
  function place(ids, around) {
    // new nodes without a position: on a fan around `around`, facing away from the centre of the view
    var need = ids.filter(function (m) { return byId[m].x === undefined && !byId[m].placed; });
    if (!need.length) { return; }
    var c = around ? network.getPositions([around])[around] : { x: 0, y: 0 };
    var away = Math.atan2(c.y, c.x);
    if (!around || (c.x === 0 && c.y === 0)) { away = 0; }
    var spread = Math.min(2 * Math.PI, Math.max(Math.PI / 2, need.length * 0.3));
    var r = 240 + 30 * Math.sqrt(need.length);
    var upd = need.map(function (m, k) {
      var a = away - spread / 2 + spread * (k + 0.5) / need.length;
      var rr = r + (k % 3) * 80;
      byId[m].placed = true;
      return { id: m, x: Math.round(c.x + rr * Math.cos(a)), y: Math.round(c.y + rr * Math.sin(a)) };
    });
    nodes.update(upd);
  }
  function expand(id) {
    var hid = hiddenNeighbours(id);
    hid.forEach(function (m) { shown[m] = true; });
    place(hid, id);
    refresh();
    if (state.highlighted === id) { highlight(id); }
    return hid;
  }
  function openGroup(id, fit) {
    var n = byId[id];
    if (!n || !n.m) { return []; }
    open[id] = true;
    n.m.forEach(function (m) { shown[m] = true; });
    refresh();
    if (fit !== false) { network.fit({ nodes: n.m, animation: false }); }
    return n.m;
  }
  function closeGroup(id) {
    var n = byId[id];
    if (!n || !n.m) { return; }
    open[id] = false;
    n.m.forEach(function (m) { shown[m] = false; });
    refresh();
  }

  // ------------------------------------------------------------------ search (labels, keys, numbers)
  function fields(n) { return [n.l.en, n.l.zh, n.k].concat(n.alt, n.codes || []); }
  function find(q) {
    q = (q || "").trim().toLowerCase();
    if (!q) { return []; }
    var exact = [], part = [];
    data.nodes.forEach(function (n) {
      if (hiddenClass[n.g] || n.m) { return; }
      var f = fields(n).map(function (s) { return String(s).toLowerCase(); });
      if (f.indexOf(q) >= 0 || n.id.toLowerCase() === q) { exact.push(n.id); }
      else if (f.some(function (s) { return s.indexOf(q) >= 0; })) { part.push(n.id); }
    });
    return exact.concat(part);
  }
  var results = null;
  function search(q) {
    clear(results);
    var status = document.getElementById("search-status");
    var ids = find(q);
    state.matches = ids;
    if (!(q || "").trim()) { status.textContent = ""; status.removeAttribute("data-count"); network.unselectAll(); return []; }
    status.textContent = ids.length ? ids.length + UI[lang].found : UI[lang].none;
    status.setAttribute("data-count", String(ids.length));
    var ql = q.trim().toLowerCase();
    ids.slice(0, 50).forEach(function (id) {
      var n = byId[id], li = el("li");
      var a = el("a", null, n.l[lang]);
      a.addEventListener("click", function () { select(id); network.focus(id, { scale: 1.2, animation: false }); });
      li.appendChild(a);
      var why = fields(n).filter(function (s) { return String(s).toLowerCase().indexOf(ql) >= 0 && s !== n.l[lang]; })[0];
      if (why) { li.appendChild(el("span", "why", why)); }
      results.appendChild(li);
    });
    ids.forEach(function (id) { var n = byId[id]; if (n.agg && !open[n.agg]) { openGroup(n.agg, false); } if (!shown[id]) { shown[id] = true; place([id], null); } });
    refresh();
    var vis = ids.filter(function (id) { return !nodes.get(id).hidden; });
    network.selectNodes(vis);
    if (vis.length === 1) { network.focus(vis[0], { scale: 1.2, animation: false }); }
    else if (vis.length > 1) { network.fit({ nodes: vis, animation: false }); }
    return ids;
  }

  // ------------------------------------------------------------------ path view
  var LINEAGE = { refersTo: 1, implements: 1, basedOn: 1, continues: 1, isPartOf: 1, reportsOn: 1, editionOf: 1, setsTarget: 1 };
  function resolve(text) {
    var ids = find(text);
    return ids.length ? ids[0] : null;
  }
  function shortestPath(a, b) {
    // Dijkstra, links of lineage and structure cost 1, others 3, so that a dependency is preferred
    // to a shared concept; links of filtered-out relations are not followed
    var dist = {}, prev = {}, via = {}, heap = [[0, a]];
    dist[a] = 0;
    function push(x) { heap.push(x); var i = heap.length - 1; while (i > 0) { var p = (i - 1) >> 1; if (heap[p][0] <= heap[i][0]) { break; } var t = heap[p]; heap[p] = heap[i]; heap[i] = t; i = p; } }
    function pop() { var top = heap[0], last = heap.pop(); if (heap.length) { heap[0] = last; var i = 0; for (;;) { var l = 2 * i + 1, r = l + 1, m = i; if (l < heap.length && heap[l][0] < heap[m][0]) { m = l; } if (r < heap.length && heap[r][0] < heap[m][0]) { m = r; } if (m === i) { break; } var t = heap[m]; heap[m] = heap[i]; heap[i] = t; i = m; } } return top; }
    while (heap.length) {
      var cur = pop(), d = cur[0], u = cur[1];
      if (d > dist[u]) { continue; }
      if (u === b) { break; }
      adj[u].forEach(function (i) {
        var e = data.edges[i];
        if (!edgeOn(e)) { return; }
        var v = e.from === u ? e.to : e.from;
        if (byId[v].m) { return; }
        var w = e.r.some(function (r) { return LINEAGE[r]; }) ? 1 : 3;
        if (dist[v] === undefined || d + w < dist[v]) { dist[v] = d + w; prev[v] = u; via[v] = i; push([d + w, v]); }
      });
    }
    if (dist[b] === undefined) { return null; }
    var ids = [b], es = [];
    while (ids[0] !== a) { es.unshift(via[ids[0]]); ids.unshift(prev[ids[0]]); }
    return { nodes: ids, edges: es };
  }
  var saved = null;
  function pathBetween(fromText, toText) {
    var status = document.getElementById("path-status"), steps = document.getElementById("path-steps");
    clear(steps);
    var a = byId[fromText] ? fromText : resolve(fromText), b = byId[toText] ? toText : resolve(toText);
    if (!a || !b) { status.textContent = UI[lang].pathUnknown + (!a ? fromText : toText); return null; }
    var p = shortestPath(a, b);
    if (!p) { status.textContent = UI[lang].pathNone; return null; }
    if (!saved) { saved = network.getPositions(); }
    state.path = p.nodes;
    state.pathEdges = p.edges.map(function (i) { return data.edges[i].id; });
    clearHighlight();
    refresh();
    nodes.update(p.nodes.map(function (id, k) {
      return { id: id, x: k * 320, y: (k % 2) * 90, label: byId[id].l[lang], widthConstraint: { maximum: 260 },
               font: { face: FACE, size: 18, color: "#222" } };
    }));
    status.textContent = byId[a].l[lang] + " → " + byId[b].l[lang] + ": " + p.edges.length + UI[lang].pathLen;
    p.nodes.forEach(function (id, k) {
      var li = el("li");
      var link = el("a", null, byId[id].l[lang]);
      link.addEventListener("click", function () { panel(id); });
      li.appendChild(link);
      if (k < p.edges.length) {
        var e = data.edges[p.edges[k]];
        li.appendChild(el("div", "via", (e.from === id ? "— " + edgeText(e) + " →" : "← " + edgeText(e) + " —")));
      }
      steps.appendChild(li);
    });
    network.fit({ nodes: p.nodes, animation: false });
    return p.nodes;
  }
  function exitPath() {
    if (!state.path.length) { return; }
    var ids = state.path;
    state.path = []; state.pathEdges = [];
    nodes.update(ids.map(function (id) {
      var n = byId[id];
      return { id: id, x: saved[id] ? saved[id].x : n.x, y: saved[id] ? saved[id].y : n.y, font: fontFor(n, false),
               label: short(n.l[lang]), widthConstraint: false };
    }));
    saved = null;
    refresh();
    clear(document.getElementById("path-steps"));
    document.getElementById("path-status").textContent = "";
    network.fit({ animation: false });
  }

  // ------------------------------------------------------------------ filters: class, relation, time
  function filter(key, show) { hiddenClass[key] = !show; refresh(); }
  function filterRel(key, show) { hiddenRel[key] = !show; refresh(); }
  function setYears(from, to, undated) {
    if (!years) { return; }
    state.years = [Math.max(years.min, Math.min(from, to)), Math.min(years.max, Math.max(from, to))];
    if (undated !== undefined) { years.undated = !!undated; }
    document.getElementById("year-from").value = String(state.years[0]);
    document.getElementById("year-to").value = String(state.years[1]);
    document.getElementById("year-from-out").textContent = String(state.years[0]);
    document.getElementById("year-to-out").textContent = String(state.years[1]);
    document.getElementById("undated").checked = years.undated;
    if (!starting) { refresh(); }
  }
  var GLYPH = { dot: "●", diamond: "◆", square: "■", triangle: "▲", triangleDown: "▼", star: "★", hexagon: "⬢" };
  function legendRow(list, attr, key, on, toggle, mark, text, count) {
    var li = el("li"), box = el("input");
    box.type = "checkbox";
    box.checked = on;
    box.setAttribute(attr, key);
    box.addEventListener("change", function () { toggle(key, box.checked); });
    var label = el("label", null, text);
    label.addEventListener("click", function () { box.click(); });
    li.appendChild(box); li.appendChild(mark); li.appendChild(label); li.appendChild(el("span", "count", String(count)));
    list.appendChild(li);
  }
  function drawLegend() {
    var legend = document.getElementById("legend"), rl = document.getElementById("rels");
    clear(legend);
    clear(rl);
    data.groups.forEach(function (g) {
      var glyph = el("span", "glyph", GLYPH[g.shape] || "●");
      glyph.style.color = g.color;
      legendRow(legend, "data-group", g.key, !hiddenClass[g.key], filter, glyph, g[lang], g.count);
    });
    data.rels.forEach(function (r) {
      var sw = el("span", "swatch");
      sw.style.borderTopStyle = r.dash ? (r.dash[0] <= 2 ? "dotted" : "dashed") : "solid";
      sw.style.borderTopColor = r.color;
      legendRow(rl, "data-rel", r.key, !hiddenRel[r.key], filterRel, sw, r[lang], r.count);
    });
  }

  // ------------------------------------------------------------------ language switch
  function setLang(l) {
    lang = l === "zh" ? "zh" : "en";
    state.lang = lang;
    var U = UI[lang];
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.getElementById("title").textContent = data.title[lang];
    document.title = data.title[lang] + " — PolicyKG";
    document.getElementById("search").placeholder = U.search;
    document.getElementById("legend-title").textContent = U.legend;
    document.getElementById("rels-title").textContent = U.relations;
    document.getElementById("reset").textContent = U.reset;
    document.getElementById("help").textContent = U.help;
    document.getElementById("time-title").textContent = U.time;
    document.getElementById("year-from-label").textContent = U.from;
    document.getElementById("year-to-label").textContent = U.to;
    document.getElementById("undated-label").textContent = U.undated;
    document.getElementById("path-title").textContent = U.path;
    document.getElementById("path-from").placeholder = U.pathFrom;
    document.getElementById("path-to").placeholder = U.pathTo;
    document.getElementById("path-go").textContent = U.pathGo;
    document.getElementById("path-exit").textContent = U.pathExit;
    Array.prototype.forEach.call(document.querySelectorAll("#langs button"), function (b) {
      b.className = b.getAttribute("data-lang") === lang ? "on" : "";
    });
    var nav = document.getElementById("nav");
    clear(nav);
    data.nav.forEach(function (p) {
      var a = el("a", p.current ? "current" : null, p[lang]);
      a.setAttribute("href", p.href);
      nav.appendChild(a);
    });
    drawLegend();
    var names = document.getElementById("names");
    clear(names);
    data.nodes.slice(0, 3000).forEach(function (n) { if (!n.m) { var o = el("option"); o.value = n.l[lang]; names.appendChild(o); } });
    if (starting) { return; }       // the items were made in this language
    nodes.update(data.nodes.map(function (n) { return { id: n.id, label: short(n.l[lang]) }; }));
    tipped = {};
    refresh();
    var q = document.getElementById("search").value;
    if (q) { search(q); }
    if (state.selected) { panel(state.selected); }
  }

  function wire() {
    results = document.getElementById("results");
    var box = document.getElementById("search");
    box.addEventListener("input", function () { search(box.value); });
    Array.prototype.forEach.call(document.querySelectorAll("#langs button"), function (b) {
      b.addEventListener("click", function () { setLang(b.getAttribute("data-lang")); });
    });
    document.getElementById("reset").addEventListener("click", function () {
      box.value = ""; search(""); exitPath(); clearHighlight();
      hiddenClass = {}; hiddenRel = {};
      if (years) { setYears(years.min, years.max, true); }
      refresh(); drawLegend(); network.fit();
    });
    document.getElementById("panel-close").addEventListener("click", function () {
      document.getElementById("panel").hidden = true; state.selected = null; clearHighlight();
    });
    document.getElementById("path-go").addEventListener("click", function () {
      pathBetween(document.getElementById("path-from").value, document.getElementById("path-to").value);
    });
    document.getElementById("path-exit").addEventListener("click", exitPath);
    var t = document.getElementById("time");
    if (!years) { t.hidden = true; return; }
    ["year-from", "year-to"].forEach(function (k) {
      var r = document.getElementById(k);
      r.min = String(years.min); r.max = String(years.max); r.step = "1";
      r.addEventListener("input", function () {
        setYears(+document.getElementById("year-from").value, +document.getElementById("year-to").value);
      });
    });
    document.getElementById("undated").addEventListener("change", function (ev) {
      setYears(state.years[0], state.years[1], ev.target.checked);
    });
    setYears(years.min, years.max, true);
  }

  document.getElementById("counts").setAttribute("data-nodes", String(data.nodes.length));
  document.getElementById("counts").setAttribute("data-edges", String(data.edges.length));
  var sample = data.nodes.slice(0, 20).map(function (n) { return n.l.zh + n.l.en; }).join("") + "总览";
  if (document.fonts && document.fonts.load) {
    document.fonts.load('16px "' + data.font + '"', sample).then(start, start);
  } else {
    start();
  }
}());
