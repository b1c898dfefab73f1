// RJ Portal's entry point, loaded with <script type="module"> at the end of
// <body>. This file lives in static/js/, the framework modules are copied to
// build/js/ by `npm run build`; both are served from /static/js/, so the
// relative imports below resolve.
import { initAll as initGovukFrontend } from './govuk-frontend.min.js'
import { initAll as initMojFrontend } from './moj-frontend.min.js'

initGovukFrontend()
initMojFrontend()

// A table wider than the screen scrolls within its .rj-table-scroll wrapper. Keyboard users
// can only scroll what they can focus, so a wrapper that overflows becomes a focusable,
// named region; one that fits stays out of the tab order.
function makeOverflowingTablesScrollable () {
  for (const wrapper of document.querySelectorAll('.rj-table-scroll')) {
    if (wrapper.scrollWidth > wrapper.clientWidth) {
      const caption = wrapper.querySelector('caption')
      wrapper.setAttribute('tabindex', '0')
      wrapper.setAttribute('role', 'region')
      wrapper.setAttribute('aria-label', caption ? caption.textContent.trim() : 'Table')
    } else {
      wrapper.removeAttribute('tabindex')
      wrapper.removeAttribute('role')
      wrapper.removeAttribute('aria-label')
    }
  }
}

makeOverflowingTablesScrollable()
window.addEventListener('resize', makeOverflowingTablesScrollable)
