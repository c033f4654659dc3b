// Attendance: the reason field shows for an absence and is required for 请假.
(function () {
  document.querySelectorAll(".att-row").forEach(function (row) {
    var reason = row.querySelector(".att-reason");
    if (!reason) return;
    function sync() {
      var mark = row.querySelector("input[type=radio]:checked");
      var value = mark ? mark.value : "present";
      reason.hidden = value === "present";
      reason.required = value === "leave";
    }
    row.addEventListener("change", sync);
    sync();
  });
})();
