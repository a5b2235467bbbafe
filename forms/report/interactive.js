/* The interactive report's script: filters by site, team, rule and period; counts, the per-rule
   table, the charts (Vega-Lite through vega-embed, inlined) and the records behind them. Every text
   comes from the page's data in the page's language; values are set with textContent, never as HTML. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var L = D.labels, R = D.rows, N = (R.period || []).length, LIMIT = 500;
  var periodLabel = {}, periodOrder = {};
  D.periods.forEach(function (p, i) { periodLabel[p.id] = p.label; periodOrder[p.id] = i; });
  var percent = new Intl.NumberFormat(D.locale, {style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1});
  var number = new Intl.NumberFormat(D.locale);
  var OUTCOME = {pass: L.outcome_pass, fail: L.outcome_fail, not_applicable: L.status_not_applicable,
                 needs_review: L.status_needs_review, error: L.status_error, waived: L.status_waived};
  var state = {site: D.site, team: "", rule: "", period: D.current};
  var views = {};

  function distinct(column) {
    var seen = {};
    for (var i = 0; i < N; i++) { if (R[column][i] !== null) { seen[R[column][i]] = true; } }
    return Object.keys(seen).sort();
  }
  function fill(id, values, label) {
    var select = document.getElementById(id);
    var all = document.createElement("option");
    all.value = ""; all.textContent = L.all; select.appendChild(all);
    values.forEach(function (v) {
      var o = document.createElement("option");
      o.value = v; o.textContent = label ? label(v) : v; select.appendChild(o);
    });
    select.value = state[select.name];
    select.addEventListener("change", function () { state[select.name] = select.value; update(); });
  }
  function ruleName(rule) { return D.rules[rule] ? rule + " " + D.rules[rule].title : rule; }
  function keep(i, skip) {
    return ["site", "team", "rule", "period"].every(function (f) {
      return f === skip || state[f] === "" || R[f][i] === state[f];
    });
  }
  function tally(indexes, key) {
    var out = {};
    indexes.forEach(function (i) {
      var k = key(i);
      var c = out[k] || (out[k] = {pass: 0, fail: 0, not_applicable: 0, needs_review: 0, error: 0, waived: 0});
      c[R.outcome[i] in c ? R.outcome[i] : "needs_review"] += 1;
    });
    return out;
  }
  function rate(c) { return c.pass + c.fail ? 100 * c.pass / (c.pass + c.fail) : null; }
  function fmtRate(r) { return r === null ? "—" : percent.format(r / 100); }
  function tone(r) { return r === null || D.target === null ? "" : (r < D.target ? "bad" : "good"); }
  function cell(tr, text, cls) {
    var td = document.createElement("td"); td.textContent = text; if (cls) { td.className = cls; } tr.appendChild(td);
  }
  function indexes(skip) { var out = []; for (var i = 0; i < N; i++) { if (keep(i, skip)) { out.push(i); } } return out; }

  function counts(rows) {
    var c = tally(rows, function () { return "all"; }).all ||
      {pass: 0, fail: 0, not_applicable: 0, needs_review: 0, error: 0, waived: 0};
    var box = document.getElementById("counts");
    box.textContent = "";
    [[L.pass_rate, fmtRate(rate(c)), tone(rate(c))], [L.passed, number.format(c.pass)], [L.failed, number.format(c.fail)],
     [L.col_not_applicable, number.format(c.not_applicable)], [L.col_needs_review, number.format(c.needs_review)],
     [L.col_error, number.format(c.error)]].forEach(function (f) {
      var fig = document.createElement("div"); fig.className = "figure";
      var label = document.createElement("div"); label.className = "label"; label.textContent = f[0];
      var value = document.createElement("div"); value.className = "value" + (f[2] ? " " + f[2] : "");
      value.textContent = f[1];
      fig.appendChild(label); fig.appendChild(value); box.appendChild(fig);
    });
  }

  function rulesTable(rows) {
    var byRule = tally(rows, function (i) { return R.rule[i]; });
    var body = document.querySelector("#rules-table tbody");
    body.textContent = "";
    var out = Object.keys(byRule).sort().map(function (rule) {
      var c = byRule[rule], r = rate(c);
      var tr = document.createElement("tr");
      tr.setAttribute("data-rule", rule);
      if (rule === state.rule) { tr.className = "picked"; }
      cell(tr, ruleName(rule));
      [c.pass, c.fail, c.not_applicable, c.needs_review, c.error].forEach(function (n) { cell(tr, number.format(n), "n"); });
      cell(tr, fmtRate(r), "n " + tone(r));
      tr.addEventListener("click", function () { pick(rule === state.rule ? "" : rule); });
      body.appendChild(tr);
      return {rule: rule, label: ruleName(rule), rate: r, failed: c.fail};
    });
    return out.filter(function (d) { return d.rate !== null; });
  }

  function records(rows) {
    var body = document.querySelector("#records tbody");
    body.textContent = "";
    rows.slice(0, LIMIT).forEach(function (i) {
      var tr = document.createElement("tr");
      [R.day[i] || "—", R.record[i], R.site[i], R.team[i] || "—", R.employee[i] || "—", R.rule[i]].forEach(function (v) {
        cell(tr, v);
      });
      cell(tr, OUTCOME[R.outcome[i]] || R.outcome[i], R.outcome[i] === "fail" ? "bad" : "");
      body.appendChild(tr);
    });
    document.getElementById("shown").textContent = L.shown.replace("{n}", number.format(Math.min(rows.length, LIMIT))) +
      " / " + number.format(rows.length);
  }

  function trendData() {
    var byPeriod = tally(indexes("period"), function (i) { return R.period[i]; });
    var segment = 0, out = [];
    D.periods.forEach(function (p) {
      var c = byPeriod[p.id], r = c ? rate(c) : null;
      if (r === null) { segment += 1; return; }  // a period without data breaks the line
      out.push({period: p.label, rate: r, segment: segment});
    });
    return out;
  }

  function scale(values) {
    var seen = values.slice(); if (D.target !== null) { seen.push(D.target); }
    if (!seen.length) { return [0, 100]; }
    var lo = Math.min.apply(null, seen), hi = Math.max.apply(null, seen), pad = Math.max(2, (hi - lo) * 0.15);
    lo -= pad; hi += pad;
    if (hi - lo < 10) { var m = (lo + hi) / 2; lo = m - 5; hi = m + 5; }
    if (lo < 0) { hi = Math.min(100, hi - lo); lo = 0; }
    if (hi > 100) { lo = Math.max(0, lo - (hi - 100)); hi = 100; }
    return [Math.floor(lo), Math.ceil(hi) + 1];
  }

  var config = {font: D.font + ", Noto Sans, sans-serif", axis: {labelFontSize: 10, titleFontSize: 10},
                legend: {labelFontSize: 10}, view: {stroke: null}};

  function draw(id, spec, after) {
    var target = document.getElementById(id);
    spec.config = config;
    // the page's width, labels included ("container" would measure vega-embed's inline-block: 0)
    spec.width = Math.max(320, target.parentElement.clientWidth);
    spec.autosize = {type: "fit-x", contains: "padding"};
    if (views[id]) { views[id].finalize(); }
    return vegaEmbed(target, spec, {actions: false, renderer: "svg", mode: "vega-lite"}).then(function (result) {
      views[id] = result.view;
      target.setAttribute("data-points", String(spec.data.values.length));
      if (after) { after(result.view); }
    });
  }

  function charts(ruleData) {
    var colour = D.target === null ? {value: "#1565c0"} :
      {condition: {test: "datum.rate < " + D.target, value: "#c62828"}, value: "#2e7d32"};
    var bars = {
      data: {values: ruleData}, mark: {type: "bar", cursor: "pointer"}, height: {step: 18},
      encoding: {
        y: {field: "label", type: "nominal", sort: "x", title: null, axis: {labelLimit: 320}},
        x: {field: "rate", type: "quantitative", scale: {domain: [0, 100]}, title: L.chart_pass_rate},
        color: colour,
        opacity: state.rule ? {condition: {test: "datum.rule === " + JSON.stringify(state.rule), value: 1}, value: 0.35}
                            : {value: 1}
      }
    };
    var layers = [{mark: {type: "line", point: true, strokeWidth: 2.4},
                   encoding: {x: {field: "period", type: "ordinal", sort: D.periods.map(function (p) { return p.label; }),
                                  scale: {domain: D.periods.map(function (p) { return p.label; })}, title: null,
                                  axis: {labelAngle: 0}},
                              y: {field: "rate", type: "quantitative", title: L.chart_pass_rate, scale: {domain: null}},
                              detail: {field: "segment", type: "nominal"}, color: {value: "#1565c0"}}}];
    var trend = trendData();
    layers[0].encoding.y.scale.domain = scale(trend.map(function (d) { return d.rate; }));
    if (D.target !== null) {
      layers.push({data: {values: [{target: D.target}]}, mark: {type: "rule", strokeDash: [4, 3], color: "#555"},
                   encoding: {y: {field: "target", type: "quantitative"}}});
    }
    return Promise.all([
      draw("chart-rules", bars, function (view) {
        view.addEventListener("click", function (event, item) {
          if (item && item.datum && item.datum.rule) { pick(item.datum.rule === state.rule ? "" : item.datum.rule); }
        });
      }),
      draw("chart-trend", {data: {values: trend}, height: 160, layer: layers})
    ]);
  }

  function pick(rule) {
    state.rule = rule;
    document.getElementById("f-rule").value = rule;
    update();
  }

  function update() {
    var rows = indexes(null);
    counts(rows);
    var ruleData = rulesTable(indexes("rule"));  // every rule stays listed; the picked one is marked
    records(rows);
    document.body.setAttribute("data-ready", "no");
    charts(ruleData).then(function () { document.body.setAttribute("data-ready", "yes"); });
  }

  fill("f-site", distinct("site"));
  fill("f-team", distinct("team"));
  fill("f-rule", distinct("rule"), ruleName);
  fill("f-period", D.periods.map(function (p) { return p.id; }).filter(function (p) { return p in periodOrder; }),
       function (p) { return periodLabel[p]; });
  update();
})();
