// The daily quiz's countdown: shows the time left and hands the paper in
// once when it runs out, so the answers given in time still count. The
// server times the attempt itself; this only keeps the member informed.
// A paper is handed in automatically at most once (remembered per ticket
// for the browser tab), and never when the page opens with no time left:
// a refused paper is not sent again and again.
(function () {
  var form = document.getElementById("quiz-form");
  var clock = document.getElementById("quiz-clock");
  if (!form || !clock) return;
  var remaining = Number(form.getAttribute("data-remaining"));
  var ticket = form.querySelector("input[name=ticket]");
  var key = "xueshi-quiz-sent:" + (ticket ? ticket.value : "");
  var sent = remaining <= 0;
  try { sent = sent || sessionStorage.getItem(key) === "1"; } catch (e) { /* storage off */ }
  var end = Date.now() + remaining;
  form.addEventListener("submit", function () {
    sent = true;
    try { sessionStorage.setItem(key, "1"); } catch (e) { /* storage off */ }
  });
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    var s = left % 60;
    clock.textContent = Math.floor(left / 60) + ":" + (s < 10 ? "0" : "") + s;
    if (left <= 60) clock.className = "urgent";
    if (left > 0) {
      setTimeout(tick, 500);
    } else if (!sent) {
      sent = true;
      try { sessionStorage.setItem(key, "1"); } catch (e) { /* storage off */ }
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  }
  tick();
})();
