// The total follows quantity × unit price as the filer types (it stays editable).
(function () {
  function wire(form) {
    var q = form.querySelector('[name="quantity"]'), p = form.querySelector('[name="unit_price"]'),
        t = form.querySelector('[name="total"]');
    if (!q || !p || !t) return;
    var auto = !t.value;
    t.addEventListener('input', function () { auto = !t.value; });
    function update() {
      var qv = parseFloat(q.value), pv = parseFloat(p.value);
      if (auto && isFinite(qv) && isFinite(pv)) t.value = (Math.round(qv * pv * 100) / 100).toFixed(2);
    }
    q.addEventListener('input', update); p.addEventListener('input', update);
  }
  document.querySelectorAll('form').forEach(wire);
})();
