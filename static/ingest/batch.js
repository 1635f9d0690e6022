// Live progress of one upload batch: poll the batch's JSON status until every file is final.
(function () {
  "use strict";
  var summary = document.getElementById("batch-summary");
  var table = document.getElementById("batch-table");
  if (!summary || !table) return;
  var url = summary.getAttribute("data-status-url");
  var delay = 1000;

  function row(item) {
    var tr = table.querySelector('tr[data-upload="' + item.id + '"]');
    if (!tr) {
      tr = document.createElement("tr");
      tr.setAttribute("data-upload", item.id);
      var name = document.createElement("td");
      var link = document.createElement("a");
      link.href = item.detail_url;
      link.textContent = item.name;
      name.appendChild(link);
      var size = document.createElement("td");
      size.className = "num";
      size.textContent = item.size;
      var st = document.createElement("td");
      var badge = document.createElement("span");
      badge.setAttribute("data-role", "status");
      st.appendChild(badge);
      var msg = document.createElement("td");
      msg.setAttribute("data-role", "message");
      tr.append(name, size, st, msg);
      table.tBodies[0].appendChild(tr);
    }
    return tr;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        data.uploads.forEach(function (item) {
          var tr = row(item);
          var badge = tr.querySelector('[data-role="status"]');
          badge.textContent = item.status_label;
          badge.className = "status status-" + item.status;
          tr.querySelector('[data-role="message"]').textContent = item.message;
        });
        if (data.done) {
          summary.textContent = summary.getAttribute("data-done-text") || "全部文件已处理完毕。";
          summary.setAttribute("data-done", "true");
        } else {
          delay = Math.min(delay * 1.3, 5000);
          setTimeout(poll, delay);
        }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  poll();
})();
