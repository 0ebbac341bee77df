// Runs before the app's bundle (a file, since the CSP forbids inline scripts) so the first paint
// already has the saved theme: no white flash for dark-theme users.
(function () {
  try {
    var saved = JSON.parse(localStorage.getItem('execbox:theme') || '"system"');
    var dark = saved === 'dark' || (saved !== 'light' && window.matchMedia('(prefers-color-scheme: dark)').matches);
    document.documentElement.classList.toggle('dark', dark);
    document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
  } catch {
    /* the app applies the theme again once it starts */
  }
})();
