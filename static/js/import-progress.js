// Import progress: polls the batch's progress URL and reloads when done.
(function () {
  var card = document.getElementById("progress-card");
  if (!card) return;
  var url = card.getAttribute("data-progress-url");
  function poll() {
    fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (p) {
      if (!p.busy) { window.location.reload(); return; }
      var bar = document.getElementById("progress");
      if (p.total) { bar.max = p.total; bar.value = p.done;
        document.getElementById("progress-text").textContent = p.done + " / " + p.total + " 行"; }
      setTimeout(poll, 1000);
    }).catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
