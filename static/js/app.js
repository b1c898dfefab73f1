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
// named region; one that fits stays out of the tab order. Everyone is told that it scrolls:
// a hint above it, and a shadow on each edge with more table beyond it (assets/scss/_tables.scss).
const SCROLL_HINT = 'Scroll sideways to see the whole table'

function makeOverflowingTablesScrollable () {
  document.querySelectorAll('.rj-table-scroll').forEach((wrapper, index) => {
    const hint = wrapper.previousElementSibling?.classList.contains('rj-table-scroll-hint')
      ? wrapper.previousElementSibling
      : null
    if (wrapper.scrollWidth > wrapper.clientWidth + 1) {
      const caption = wrapper.querySelector('caption')
      wrapper.setAttribute('tabindex', '0')
      wrapper.setAttribute('role', 'region')
      wrapper.setAttribute('aria-label', caption ? caption.textContent.trim() : 'Table')
      if (!hint) {
        const text = document.createElement('p')
        text.className = 'rj-table-scroll-hint'
        text.id = wrapper.id ? `${wrapper.id}-hint` : `rj-table-scroll-hint-${index}`
        text.textContent = SCROLL_HINT
        wrapper.before(text)
        wrapper.setAttribute('aria-describedby', text.id)
      }
    } else {
      wrapper.removeAttribute('tabindex')
      wrapper.removeAttribute('role')
      wrapper.removeAttribute('aria-label')
      wrapper.removeAttribute('aria-describedby')
      if (hint) hint.remove()
    }
  })
}

makeOverflowingTablesScrollable()
window.addEventListener('resize', makeOverflowingTablesScrollable)
