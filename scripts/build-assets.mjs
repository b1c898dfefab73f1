#!/usr/bin/env node
// Build RJ Portal's front-end assets into build/ (served by Django's
// staticfiles from STATIC_URL /static/, alongside static/).
//
//   build/css/application.css        compiled from assets/scss/application.scss
//   build/js/govuk-frontend.min.js   GOV.UK Frontend ES module (+ source map)
//   build/js/moj-frontend.min.js     MOJ Frontend ES module (+ source map)
//   build/js/plotly-charts.min.js    plotly.js with only the chart types the portal draws
//   build/assets/images/*            images the stylesheet refers to
//   build/assets/manifest.json       web app manifest for RJ Portal
//
// Plain Node, plus esbuild for the one bundle we make ourselves (plotly.js): `npm run build`.

import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'

import * as esbuild from 'esbuild'
import * as sass from 'sass'

const started = performance.now()
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const nodeModules = join(root, 'node_modules')
const build = join(root, 'build')

const govukDist = join(nodeModules, 'govuk-frontend', 'dist', 'govuk')
const mojDist = join(nodeModules, '@ministryofjustice', 'frontend', 'moj')

// Images that carry the crown, the Royal Arms or GOV.UK / MOJ branding (and
// the GOV.UK favicons, which are the crown). RJ Portal is not a GOV.UK or
// MOJ service, so none of these are copied. Fonts are never copied either:
// the stylesheet uses the system font stack.
const BRANDED_IMAGE = /^(favicon\.|govuk-)|crown|crest|logo|apple-touch|opengraph/i

function ensureDir (dir) {
  mkdirSync(dir, { recursive: true })
}

function copy (from, to) {
  ensureDir(dirname(to))
  copyFileSync(from, to)
}

function fail (message) {
  console.error(`build-assets: ${message}`)
  process.exit(1)
}

// 1. Start from an empty build directory so nothing stale is served.
rmSync(build, { recursive: true, force: true })

// 2. Sass. Warnings raised only by the frameworks' own code (for example MOJ
// Frontend calling a GOV.UK mixin that GOV.UK has deprecated) are counted, not
// printed: they are not ours to fix. A warning whose span or stack passes
// through one of our partials (assets/scss/_*.scss) is printed.
let dependencyWarnings = 0
const ours = /assets\/scss\/_[^/\s]+\.scss/
const logger = {
  warn (message, { deprecation, span, stack } = {}) {
    const where = `${(span && span.url && span.url.pathname) || ''}\n${stack || ''}`
    if (!ours.test(where) && where.includes('node_modules')) {
      dependencyWarnings += 1
      return
    }
    console.warn(`Sass warning${deprecation ? ' (deprecation)' : ''}: ${message}`)
    if (span && span.url) console.warn(`  at ${relative(root, fileURLToPath(span.url))}:${span.start.line + 1}`)
  },
  debug (message) {
    console.warn(`Sass debug: ${message}`)
  }
}

let css
try {
  css = sass.compile(join(root, 'assets', 'scss', 'application.scss'), {
    // `node_modules` for our own `@use "govuk-frontend/..."`; the project root
    // because MOJ Frontend loads "node_modules/govuk-frontend/dist/govuk/base".
    loadPaths: [nodeModules, root],
    style: 'compressed',
    sourceMap: false,
    logger
  }).css
} catch (error) {
  fail(`Sass failed:\n${error.message}`)
}

// 3. Check what we are about to ship: no GOV.UK typeface, no crown, and every
// url() in the stylesheet must point at a file the build provides (Django's
// manifest static files storage refuses missing references).
if (/GDS Transport/i.test(css)) fail('application.css mentions the GDS Transport font')
if (/@font-face/i.test(css)) fail('application.css contains @font-face rules; use system fonts')

const urls = [...css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)].map((m) => m[1])
const imagesWanted = new Set()
for (const url of urls) {
  if (url.startsWith('data:')) continue
  if (BRANDED_IMAGE.test(url.split('/').pop())) fail(`application.css refers to a branded image: ${url}`)
  const match = url.match(/^\/static\/assets\/images\/([^/?#]+)$/)
  if (!match) fail(`application.css refers to an unexpected URL: ${url}`)
  imagesWanted.add(match[1])
}

ensureDir(join(build, 'css'))
writeFileSync(join(build, 'css', 'application.css'), css)

// 4. JavaScript: the ES module builds, with their source maps (the .min.js
// files end with a sourceMappingURL comment, which Django's manifest storage
// follows, so the maps must exist).
const scripts = [
  [join(govukDist, 'govuk-frontend.min.js'), 'govuk-frontend.min.js'],
  [join(mojDist, 'moj-frontend.min.js'), 'moj-frontend.min.js']
]
for (const [from, name] of scripts) {
  if (!existsSync(from)) fail(`missing ${relative(root, from)}; run npm install`)
  copy(from, join(build, 'js', name))
  if (existsSync(`${from}.map`)) copy(`${from}.map`, join(build, 'js', `${name}.map`))
}

// 4b. plotly.js, cut down to what rjportal/charts.py draws. The full bundle is about 4.8 MB
// of JavaScript that every chart page had to parse; this one registers only the trace types
// the portal uses (scatter is part of plotly.js's core; bar, funnel and choropleth are added),
// built from plotly.js's own sources the way its partial bundles are (lib/core + register).
// Its version must stay the major version the Python `plotly` package validates the chart
// dicts against (tests/rjportal/test_charts.py checks both).
//
// Two modules that only serve features the portal never uses are replaced by stubs:
// - d3-geo-projection: the exotic map projections (the maps use mercator, from d3-geo);
// - country-iso-search: matching country names for `locationmode: "country names"` (the
//   maps match police force areas by code in our own GeoJSON).
// And no stylesheet: the only CSS plotly.js imports is MapLibre's, for tile maps, which are
// not in this bundle.
const PLOTLY_TRACES = ['bar', 'funnel', 'choropleth']
const PLOTLY_BUDGET_BYTES = 1_400_000
const PLOTLY_STUBS = {
  'd3-geo-projection': 'module.exports = {}',
  'country-iso-search':
    'module.exports = { COUNTRIES: [], createLookup: function () { return { lookupAlpha3: function () { return false } } } }'
}
const plotlyVersion = JSON.parse(readFileSync(join(nodeModules, 'plotly.js', 'package.json'), 'utf8')).version
const plotlyEntry = [
  "var Plotly = require('plotly.js/lib/core')",
  `Plotly.register([${PLOTLY_TRACES.map((name) => `require('plotly.js/lib/${name}')`).join(', ')}])`,
  'module.exports = Plotly'
].join('\n')
const stubs = {
  name: 'rj-plotly-stubs',
  setup (build) {
    const names = new RegExp(`^(${Object.keys(PLOTLY_STUBS).join('|')})$`)
    build.onResolve({ filter: names }, (args) => ({ path: args.path, namespace: 'rj-stub' }))
    build.onLoad({ filter: /.*/, namespace: 'rj-stub' }, (args) => ({ contents: PLOTLY_STUBS[args.path], loader: 'js' }))
  }
}
const plotlyOut = join(build, 'js', 'plotly-charts.min.js')
try {
  await esbuild.build({
    stdin: { contents: plotlyEntry, resolveDir: root, sourcefile: 'plotly-charts.js', loader: 'js' },
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'Plotly',
    target: 'es2016',
    // As plotly.js's own esbuild configuration.
    define: { global: 'window', 'define.amd': 'false' },
    loader: { '.css': 'empty' },
    plugins: [stubs],
    legalComments: 'none',
    banner: {
      js: `/*! plotly.js v${plotlyVersion} (RJ Portal bundle: scatter, ${PLOTLY_TRACES.join(', ')}) | ` +
        '(c) Plotly, Inc. | MIT License | https://plotly.com/javascript/ */'
    },
    outfile: plotlyOut,
    logLevel: 'error'
  })
} catch (error) {
  fail(`plotly.js bundle failed: ${error.message}`)
}
const plotlyBytes = statSync(plotlyOut).size
if (plotlyBytes > PLOTLY_BUDGET_BYTES) {
  fail(`plotly-charts.min.js is ${plotlyBytes} bytes, over its budget of ${PLOTLY_BUDGET_BYTES}`)
}

// 5. Images from both frameworks, without branded ones.
const imageDirs = [join(govukDist, 'assets', 'images'), join(mojDist, 'assets', 'images')]
const copied = new Set()
for (const dir of imageDirs) {
  if (!existsSync(dir)) continue
  for (const name of readdirSync(dir)) {
    if (BRANDED_IMAGE.test(name) || copied.has(name)) continue
    copy(join(dir, name), join(build, 'assets', 'images', name))
    copied.add(name)
  }
}
for (const name of imagesWanted) {
  if (!copied.has(name)) fail(`application.css needs images/${name}, which the build does not provide`)
}

// 6. Web app manifest for RJ Portal (GOV.UK Frontend's lists only the crown
// icons). Icon paths are relative to /static/assets/manifest.json.
const manifest = {
  name: 'RJ Portal',
  short_name: 'RJ Portal',
  start_url: '/',
  display: 'browser',
  theme_color: '#1d5e6e',
  background_color: '#ffffff',
  icons: [
    { src: '../images/favicon.svg', type: 'image/svg+xml', sizes: 'any', purpose: 'any' }
  ]
}
writeFileSync(join(build, 'assets', 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)

const seconds = ((performance.now() - started) / 1000).toFixed(1)
const kb = (Buffer.byteLength(css) / 1024).toFixed(0)
console.log(
  `build-assets: application.css ${kb} KB, ${scripts.length} scripts, ` +
    `plotly-charts.min.js ${(plotlyBytes / 1024).toFixed(0)} KB, ${copied.size} images` +
    (dependencyWarnings ? `, ${dependencyWarnings} framework Sass warnings hidden` : '') +
    ` (${seconds} s)`
)
