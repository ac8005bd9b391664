// The daily quiz's countdown: shows the time left and hands the paper in
// when it runs out, so the answers given in time still count. The server
// times the attempt itself; this only keeps the member informed.
(function () {
  var form = document.getElementById("quiz-form");
  var clock = document.getElementById("quiz-clock");
  if (!form || !clock) return;
  var end = Date.now() + Number(form.getAttribute("data-remaining"));
  var sent = false;
  form.addEventListener("submit", function () { sent = true; });
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    var s = left % 60;
    clock.textContent = Math.floor(left / 60) + ":" + (s < 10 ? "0" : "") + s;
    if (left <= 60) clock.className = "urgent";
    if (left > 0) {
      setTimeout(tick, 500);
    } else if (!sent) {
      sent = true;
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  }
  tick();
})();
