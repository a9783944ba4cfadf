// "Copy the code" buttons: shown only where this script runs (without it, the text can be
// selected and copied by hand). data-copy names the field to copy; the message after the
// button says it was copied, for screen readers too.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  var field = document.getElementById(button.dataset.copy);
  var message = button.nextElementSibling;
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value || field.textContent).then(function () {
      message.textContent = button.dataset.copied;
    });
  });
});
