// Copy buttons of the one-time display: <button data-copy="element-id">. Without JavaScript the values
// stay selectable by hand; the buttons are hidden until this script shows them.
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    var source = document.getElementById(button.getAttribute("data-copy"));
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = button.getAttribute("data-copied");
    });
  });
});
