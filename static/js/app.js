// RJ Portal's entry point, loaded with <script type="module"> at the end of
// <body>. This file lives in static/js/, the framework modules are copied to
// build/js/ by `npm run build`; both are served from /static/js/, so the
// relative imports below resolve.
import { initAll as initGovukFrontend } from './govuk-frontend.min.js'
import { initAll as initMojFrontend } from './moj-frontend.min.js'

initGovukFrontend()
initMojFrontend()
