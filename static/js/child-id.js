// 性别 and 出生日期 follow the ID number as it is typed (the server derives
// them again on save: students/forms.py ChildForm); shown read-only while
// the ID number is a full 18-character one.
(function () {
  var id = document.getElementById("id_id_number");
  var gender = document.getElementById("id_gender");
  var birth = document.getElementById("id_birth_date");
  if (!id || !gender || !birth || gender.disabled) return;
  function follow() {
    var v = id.value.replace(/\s/g, "").toUpperCase();
    var m = /^\d{6}(\d{4})(\d{2})(\d{2})\d{2}(\d)[\dX]$/.exec(v);
    var on = !!m;
    if (on) {
      birth.value = m[1] + "-" + m[2] + "-" + m[3];
      gender.value = parseInt(m[4], 10) % 2 ? "M" : "F";
    }
    birth.readOnly = on;
    gender.classList.toggle("readonly", on);
    gender.setAttribute("aria-readonly", on ? "true" : "false");
  }
  id.addEventListener("input", follow);
  gender.addEventListener("mousedown", function (e) {
    if (gender.getAttribute("aria-readonly") === "true") e.preventDefault();
  });
  follow();
})();
