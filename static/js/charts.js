// Draws the charts of a page (templates/includes/chart.html). Loaded only on pages with charts,
// at the end of <body>:
//   <script type="module" src="{% static 'js/charts.js' %}"></script>
//
// plotly.js is a classic script: our own bundle of it with only the chart types the portal
// draws (build/js/plotly-charts.min.js, about 1.3 MB, made by `npm run build`; see
// scripts/build-assets.mjs). It is loaded here, from our own static files, by adding a
// <script src> element (script-src 'self' allows it; nothing comes from a CDN), and only after
// the page has loaded: the text and tables come first, the charts after. Each chart's figure
// comes from the json_script element named by its data-rj-chart attribute, so no inline script
// is needed either.

const CHART_SELECTOR = '[data-rj-chart]'
// Below this width a chart is on a phone: smaller text, shorter category labels.
const NARROW_PX = 560
const NARROW_LABEL_CHARS = 14

// plotly.js writes its stylesheet into a <style> element when it loads, which a
// Content-Security-Policy without 'unsafe-inline' in style-src refuses. It skips that when an
// element with the right id is already in the page; its rules ship in our stylesheet
// (assets/scss/_charts.scss), and plotly.js also wants the class `no-inline-styles` on it.
function markPlotlyStylesAsShipped () {
  if (document.getElementById('plotly.js-style-global')) return
  const marker = document.createElement('meta')
  marker.id = 'plotly.js-style-global'
  marker.className = 'no-inline-styles'
  marker.name = 'rj-plotly-styles-not-needed'
  document.head.appendChild(marker)
}

// A geo subplot asks for a base map (land, coastlines) from plotly's CDN even when it shows
// none of it, as soon as a trace has a location mode. Our maps draw police force areas from our
// own GeoJSON with the base map hidden, so plotly gets an empty base map up front and fetches
// nothing (the figures also point topojsonURL at our own static files, should a name be missed).
function provideEmptyBaseMaps () {
  const emptyTopology = { type: 'Topology', objects: {}, arcs: [] }
  const assets = (window.PlotlyGeoAssets = window.PlotlyGeoAssets || {})
  assets.topojson = assets.topojson || {}
  for (const scope of ['world', 'europe']) {
    for (const resolution of ['110m', '50m']) {
      const name = `${scope}_${resolution}`
      if (!assets.topojson[name]) assets.topojson[name] = emptyTopology
    }
  }
}

function loadPlotly (src) {
  if (window.Plotly) return Promise.resolve(window.Plotly)
  markPlotlyStylesAsShipped()
  provideEmptyBaseMaps()
  return new Promise((resolve, reject) => {
    const script = document.createElement('script')
    script.src = src
    script.addEventListener('load', () => resolve(window.Plotly))
    script.addEventListener('error', () => reject(new Error(`Could not load ${src}`)))
    document.head.appendChild(script)
  })
}

function readFigure (element) {
  const source = document.getElementById(element.dataset.rjChart)
  if (!source) throw new Error(`No figure data #${element.dataset.rjChart}`)
  return JSON.parse(source.textContent)
}

// Wait for the page's load event (the text, tables and stylesheet are in place), then for a
// quiet moment, before fetching and running plotly.js.
function pageLoaded () {
  const loaded = document.readyState === 'complete'
    ? Promise.resolve()
    : new Promise((resolve) => window.addEventListener('load', resolve, { once: true }))
  return loaded.then(() => new Promise((resolve) => {
    if ('requestIdleCallback' in window) window.requestIdleCallback(resolve, { timeout: 200 })
    else setTimeout(resolve, 0)
  }))
}

// Category labels broken into lines of at most `width` characters (at spaces), joined with
// <br> as plotly.js writes line breaks. Labels longer than two lines end with an ellipsis: the
// table under the chart has them in full.
function wrapLabel (text, width) {
  const lines = []
  let line = ''
  for (const word of String(text).split(' ')) {
    if (line && (line + ' ' + word).length > width) {
      lines.push(line)
      line = word
    } else {
      line = line ? `${line} ${word}` : word
    }
  }
  if (line) lines.push(line)
  if (lines.length > 2) lines.splice(1, lines.length, `${lines[1].slice(0, width - 1)}…`)
  return lines.map(escapeForPlotly).join('<br>')
}

// Plotly treats some HTML-like tags in labels as markup: show them as typed (as
// rjportal/charts.py does for the labels it writes).
function escapeForPlotly (text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

// The layout for the plot's width: on a narrow plot, smaller text and category labels wrapped
// shorter (the figure's own ticktext is wrapped for a wide plot; tickvals keep the full labels).
function layoutFor (element, layout) {
  const narrow = element.clientWidth < NARROW_PX
  const update = { 'font.size': narrow ? 12 : layout.font?.size || 14 }
  for (const name of ['xaxis', 'yaxis']) {
    const axis = layout[name]
    if (axis && Array.isArray(axis.tickvals) && Array.isArray(axis.ticktext)) {
      update[`${name}.ticktext`] = narrow
        ? axis.tickvals.map((value) => wrapLabel(value, NARROW_LABEL_CHARS))
        : axis.ticktext
    }
  }
  return update
}

// A tap (or click) on a map area opens that area's figures: the link in the area's row of the
// table under the map when there is one, or else that row itself, scrolled into view and
// highlighted. The figure's `tableRowKeys` says which row is which area.
function followMapTaps (Plotly, element, figure) {
  const keys = figure.tableRowKeys
  if (!Array.isArray(keys)) return
  const rows = element.closest('.rj-chart').querySelectorAll('.rj-chart__table tbody tr')
  element.on('plotly_click', (event) => {
    const point = event && event.points && event.points[0]
    const row = point && rows[keys.indexOf(point.location)]
    if (!row) return
    const link = row.querySelector('a[href]')
    if (link) {
      window.location.assign(link.href)
      return
    }
    for (const chosen of element.closest('.rj-chart').querySelectorAll('.rj-chart__row--chosen')) {
      chosen.classList.remove('rj-chart__row--chosen')
    }
    row.classList.add('rj-chart__row--chosen')
    row.setAttribute('tabindex', '-1')
    row.scrollIntoView({ block: 'center' })
    row.focus({ preventScroll: true })
  })
}

async function drawChart (Plotly, element) {
  const figure = readFigure(element)
  const layout = { ...figure.layout }
  for (const [path, value] of Object.entries(layoutFor(element, figure.layout))) {
    const [name, key] = path.split('.')
    layout[name] = { ...layout[name], [key]: value }
  }
  await Plotly.newPlot(element, figure.data, layout, figure.config)
  followMapTaps(Plotly, element, figure)
  let width = element.clientWidth
  window.addEventListener('resize', () => {
    if (element.clientWidth === width) return
    width = element.clientWidth
    Plotly.relayout(element, layoutFor(element, figure.layout))
  })
}

async function drawCharts () {
  const elements = [...document.querySelectorAll(CHART_SELECTOR)]
  if (!elements.length) return
  await pageLoaded()
  const Plotly = await loadPlotly(elements[0].dataset.rjPlotlySrc)
  for (const element of elements) {
    try {
      await drawChart(Plotly, element)
      element.classList.add('rj-chart__plot--drawn')
    } catch (error) {
      // The table next to the chart still has the data; do not leave an empty box.
      element.classList.add('rj-chart__plot--failed')
      console.error(`Chart ${element.dataset.rjChart} could not be drawn`, error)
    }
    // Let the page answer input between charts.
    await new Promise((resolve) => setTimeout(resolve, 0))
  }
  performance.mark('rj-charts-drawn')
}

drawCharts().catch((error) => {
  for (const element of document.querySelectorAll(CHART_SELECTOR)) element.classList.add('rj-chart__plot--failed')
  console.error(error)
})
