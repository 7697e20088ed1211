// The total follows quantity × unit price as the filer types.  It stays editable: once the
// filer types a total of their own it is left alone, until it matches the product again.
(function () {
  function product(q, p) {
    var qv = parseFloat(q.value), pv = parseFloat(p.value);
    return isFinite(qv) && isFinite(pv) ? (Math.round(qv * pv * 100) / 100).toFixed(2) : null;
  }
  function wire(form) {
    var q = form.querySelector('[name="quantity"]'), p = form.querySelector('[name="unit_price"]'),
        t = form.querySelector('[name="total"]');
    if (!q || !p || !t) return;
    var computed = product(q, p);
    var auto = !t.value || (computed !== null && parseFloat(t.value) === parseFloat(computed));
    t.addEventListener('input', function () {
      var now = product(q, p);
      auto = !t.value || (now !== null && parseFloat(t.value) === parseFloat(now));
    });
    function update() {
      var now = product(q, p);
      if (auto && now !== null) t.value = now;
    }
    q.addEventListener('input', update);
    p.addEventListener('input', update);
  }
  function start() { document.querySelectorAll('form').forEach(wire); }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
