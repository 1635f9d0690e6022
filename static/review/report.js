// Review page: mark the cells of failing checks, focus one check's cells on click,
// and fill the correction form's key when a value cell is clicked. Data comes from json_script.
(function () {
  "use strict";
  var data = document.getElementById("review-highlight");
  var tables = document.getElementById("parsed-tables");
  if (!data || !tables) { return; }
  var highlight = JSON.parse(data.textContent);

  function cellsFor(key) {
    return tables.querySelectorAll('[data-key="' + (window.CSS && CSS.escape ? CSS.escape(key) : key) + '"]');
  }
  Object.keys(highlight).forEach(function (checkId) {
    var family = checkId.split(".")[0];
    if (family === "V4") { return; }  // blank/—/无 read as 0: informational, not a problem
    highlight[checkId].forEach(function (key) {
      cellsFor(key).forEach(function (td) {
        td.classList.add(family === "R1" ? "conflict" : "flagged");
        td.setAttribute("data-checks", ((td.getAttribute("data-checks") || "") + " " + checkId).trim());
      });
    });
  });

  document.querySelectorAll("tr.check[data-check]").forEach(function (row) {
    row.addEventListener("click", function (event) {
      if (event.target.closest("form")) { return; }
      tables.querySelectorAll(".focus").forEach(function (td) { td.classList.remove("focus"); });
      document.querySelectorAll("tr.check.selected").forEach(function (r) { r.classList.remove("selected"); });
      row.classList.add("selected");
      var first = null;
      (highlight[row.getAttribute("data-check")] || []).forEach(function (key) {
        cellsFor(key).forEach(function (td) { td.classList.add("focus"); first = first || td; });
      });
      if (first) { first.scrollIntoView({block: "center", behavior: "smooth"}); }
    });
  });

  var keyInput = document.getElementById("correct-key");
  tables.addEventListener("click", function (event) {
    var td = event.target.closest("td[data-key]");
    if (!td || !keyInput) { return; }
    keyInput.value = td.getAttribute("data-key");
    var value = document.getElementById("id_value");
    if (value) { value.value = td.textContent.trim() === "?" ? "" : td.textContent.trim().replace(/,/g, ""); value.focus(); }
  });
})();
