// A live competition's screens: the host's console, the hall's big screen
// and a team's phone, fed by one WebSocket each. The server measures this
// clock against its own (it pings, we answer with our time) and tells us
// the offset; a question's unlock comes as a server time, so every screen
// opens together, and a buzz carries our clock and our reaction since our
// own unlock. The socket reconnects by itself; a reload keeps the seat.
(function () {
  var root = document.getElementById("live");
  if (!root) return;
  var d = root.dataset, role = d.role;
  var offset = null, snap = null, me = null, ws = null, retry = 500, localUnlock = null, timer = null;
  function $(id) { return document.getElementById(id); }
  function set(id, text) { var e = $(id); if (e) e.textContent = text == null ? "" : text; }
  function status(text) { set("status", text); }
  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + d.ws);
    ws.onopen = function () { retry = 500; status(""); };
    ws.onmessage = function (ev) { handle(JSON.parse(ev.data)); };
    ws.onclose = function () {
      status(d.offline);
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 8000);
    };
  }
  function handle(m) {
    if (m.t === "ping") { ws.send(JSON.stringify({ t: "pong", s: m.s, c: Date.now() })); return; }
    if (m.t === "sync") { offset = m.offset; if (snap) schedule(); return; }
    // To phones, an unlock and who answers come as a few bytes.
    if (m.t === "open") {
      if (snap && snap.position === m.q) { snap.phase = "open"; snap.unlock_at = m.unlock_at; schedule(); }
      return;
    }
    if (m.t === "answering") {
      if (snap && snap.position === m.q) { snap.answering = m.team; snap.answering_name = m.name; render(); }
      return;
    }
    if (m.t === "you") { me = m.team; set("score", m.score); return; }
    if (m.t === "score") { if (m.team === me) set("score", m.score); return; }
    if (m.t === "ack") { set("ack", d["ack" + m.result.charAt(0).toUpperCase() + m.result.slice(1)] || ""); return; }
    if (m.t === "snap") {
      if (offset === null) offset = m.now - Date.now();
      var moved = !snap || snap.position !== m.position;
      snap = m;
      if (moved) set("ack", "");
      render();
      schedule();
    }
  }
  // A choice answer with its option's words; true/false in words.
  function answerText(q) {
    if (q.answer === "true") return d.true;
    if (q.answer === "false") return d.false;
    var opts = q.options || [];
    if (opts.length && /^[A-Z]+$/.test(q.answer) && q.answer.length === 1) {
      var i = q.answer.charCodeAt(0) - 65;
      if (opts[i]) return q.answer + ". " + opts[i];
    }
    return q.answer;
  }
  function roundName(r) { return d["round" + r.charAt(0).toUpperCase() + r.slice(1)] || r; }
  function list(id, items, text) {
    var ol = $(id); if (!ol) return;
    ol.textContent = "";
    items.forEach(function (x) { var li = document.createElement("li"); li.textContent = text(x); ol.appendChild(li); });
  }
  function render() {
    var q = snap.question;
    set("progress", snap.position + " / " + snap.count);
    status(snap.state === "finished" ? d.finished : snap.paused ? d.paused : "");
    set("round", q ? roundName(q.round) + (q.team_name ? " · " + q.team_name : "") + " · " + q.points : "");
    set("stem", q ? q.stem : d.lobby);
    list("options", q && q.options ? q.options : [], function (o) { return o; });
    set("answer", q && q.answer ? answerText(q) : "");
    set("answering", snap.answering_name ? d.answering + "：" + snap.answering_name : "");
    list("order", snap.order, function (b) { return b.name + (role === "console" && b.rtt_ms !== undefined ? " (" + (b.pressed_at - snap.unlock_at) + " ms, " + b.basis + ")" : ""); });
    list("board", snap.board, function (t) { return t.place + ". " + t.name + " " + t.score; });
    var frozen = me && snap.frozen.indexOf(me) >= 0;
    if (frozen) set("ack", d.ackEarly);
  }
  // Opens the buzzer at the server's unlock time, read on our clock.
  function schedule() {
    if (timer) { clearTimeout(timer); timer = null; }
    var b = $("buzz");
    if (b) b.disabled = true;
    localUnlock = null;
    var q = snap && snap.question;
    var settled = !q || snap.state !== "running" || snap.phase === "revealed" ||
      snap.judged.some(function (j) { return j.correct; });
    if (settled || q.round !== "buzz") { set("countdown", ""); return; }
    if (snap.phase !== "open" || !snap.unlock_at) { set("countdown", d.locked); return; }
    localUnlock = snap.unlock_at - (offset || 0);
    var open = function () {
      if (b) b.disabled = snap.paused || (me && snap.frozen.indexOf(me) >= 0);
      tick();
    };
    var wait = localUnlock - Date.now();
    if (wait > 0) { set("countdown", d.locked); timer = setTimeout(open, wait); } else open();
  }
  function tick() {
    if (localUnlock === null || !snap) return;
    var left = Math.max(0, Math.ceil((localUnlock + snap.answer_seconds * 1000 - Date.now()) / 1000));
    set("countdown", String(left));
    if (left > 0) timer = setTimeout(tick, 250);
    else { var b = $("buzz"); if (b) b.disabled = true; }
  }
  var buzz = $("buzz");
  if (buzz) buzz.addEventListener("click", function () {
    if (!snap || localUnlock === null || !ws || ws.readyState !== 1) return;
    var now = Date.now();
    ws.send(JSON.stringify({ t: "buzz", q: snap.position, c: now, r: now - localUnlock }));
    buzz.disabled = true;
  });
  var controls = $("controls");
  if (controls) controls.addEventListener("click", function (ev) {
    var t = ev.target.closest("button[data-act]");
    if (!t) return;
    var body = { action: t.getAttribute("data-act") };
    if (body.action === "judge") {
      body.team = snap && snap.answering;
      body.correct = t.getAttribute("data-correct") === "1";
      if (snap && snap.question && snap.question.round === "risk") body.stake = Number($("stake").value);
    }
    var err = $("act-error");
    fetch("/api/v1/competitions/" + d.competition + "/host", {
      method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": d.csrf }, body: JSON.stringify(body)
    }).then(function (r) {
      if (r.ok) { err.hidden = true; return; }
      return r.json().then(function (j) { err.textContent = j.message; err.hidden = false; });
    }, function () { err.textContent = d.offline; err.hidden = false; });
  });
  connect();
})();
