// Live recipient count on the compose form (served from the console itself: CSP 'self').
(function () {
  var form = document.getElementById("compose");
  var out = document.getElementById("live-count");
  if (!form || !out) { return; }
  function update() {
    var kind = form.elements.kind.value;
    var value = form.elements.value.value;
    var url = out.dataset.url + "?kind=" + encodeURIComponent(kind) + "&value=" + encodeURIComponent(value);
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var text = "Số người sẽ nhận: " + data.count;
      if (data.zalo_outside) {
        text += " (trong đó " + data.zalo_outside + " người dùng Zalo đã quá 7 ngày không nhắn, Zalo không cho gửi)";
      }
      out.textContent = text;
      out.dataset.count = data.count;
    });
  }
  form.elements.kind.addEventListener("change", update);
  form.elements.value.addEventListener("change", update);
  update();
})();
