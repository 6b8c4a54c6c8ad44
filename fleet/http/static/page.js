// The page's one bit of script: pages marked data-refresh reload every so many seconds while
// nobody is typing in one of their forms.
(function () {
  var seconds = Number(document.body && document.body.querySelector('[data-refresh]') && document.body.querySelector('[data-refresh]').getAttribute('data-refresh'));
  if (!(seconds > 0)) return;
  setInterval(function () {
    var active = document.activeElement;
    if (active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) return;
    location.reload();
  }, seconds * 1000);
})();
