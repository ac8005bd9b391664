// The check-in form: choosing a material sets the kind of study to the
// material's own, so the check-in counts toward the right quota (the
// server refuses a kind that contradicts the material either way).
(function () {
  var material = document.getElementById("material");
  var kind = document.getElementById("kind");
  if (!material || !kind) return;
  material.addEventListener("change", function () {
    var chosen = material.options[material.selectedIndex];
    kind.value = (chosen && chosen.getAttribute("data-kind")) || "";
  });
})();
