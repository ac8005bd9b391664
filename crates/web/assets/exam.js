// A sitting of an exam: each answer is saved the moment it is given, so a
// dropped connection or a reload loses nothing; the clock shows the time
// the server allows and hands the paper in once when it runs out. The
// server keeps the time itself: a paper never handed in is graded at its
// deadline from what was saved.
(function () {
  var form = document.getElementById("sitting-form");
  var clock = document.getElementById("exam-clock");
  var state = document.getElementById("save-state");
  if (!form || !clock) return;
  var sitting = form.getAttribute("data-sitting");
  var csrf = form.getAttribute("data-csrf");
  var end = Date.now() + Number(form.getAttribute("data-remaining"));
  var sent = false;
  function answerOf(name) {
    var boxes = form.querySelectorAll("[name='" + name + "']");
    var out = "";
    for (var i = 0; i < boxes.length; i++) {
      var b = boxes[i];
      if (b.type === "radio" || b.type === "checkbox") { if (b.checked) out += b.value; }
      else out = b.value;
    }
    return out;
  }
  function save(name) {
    var body = JSON.stringify({ question: name.slice(2), answer: answerOf(name) });
    fetch("/api/v1/sittings/" + sitting + "/answers", {
      method: "PUT", credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf }, body: body
    }).then(function (r) {
      if (!r.ok) state.textContent = form.getAttribute("data-failed");
    }, function () { state.textContent = form.getAttribute("data-failed"); });
  }
  form.addEventListener("change", function (ev) {
    if (ev.target && ev.target.name && ev.target.name.indexOf("q_") === 0) save(ev.target.name);
  });
  form.addEventListener("submit", function () { sent = true; });
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    var s = left % 60;
    clock.textContent = Math.floor(left / 60) + ":" + (s < 10 ? "0" : "") + s;
    if (left <= 60) clock.className = "urgent";
    if (left > 0) setTimeout(tick, 500);
    else if (!sent) { sent = true; if (form.requestSubmit) form.requestSubmit(); else form.submit(); }
  }
  tick();
})();
