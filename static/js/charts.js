// Draws the dashboard's charts (templates/includes/chart.html). Loaded on pages with charts as
//   <script type="module" src="{% static 'js/charts.js' %}"></script>
// in {% block body_end %}.
//
// plotly.js is a classic (UMD) script of about 5 MB, served from our own static files (the
// plotly Python package ships it; see rjportal/web/staticfinders.py). It is loaded here, only
// when the page has a chart, by adding a <script src> element: script-src 'self' allows it, and
// nothing comes from a CDN. Each chart's figure comes from the json_script element named by its
// data-rj-chart attribute, so no inline script is needed either.

const CHART_SELECTOR = '[data-rj-chart]'

// plotly.js writes stylesheets into <style> elements when it loads, which a
// Content-Security-Policy without 'unsafe-inline' in style-src refuses. It skips them when an
// element with the right id is already in the page, so these markers must exist before
// plotly.js runs:
// - its own rules, which ship in our stylesheet (assets/scss/_charts.scss); plotly.js also
//   wants the class `no-inline-styles` on this one;
// - the stylesheet of the MapLibre library it bundles for tile maps, which we never draw (they
//   need map tiles from outside the site). The id is a hash that changes with plotly.js
//   releases; the chart browser tests fail on the CSP error if a new release brings a new one.
const SHIPPED_STYLE_ELEMENTS = [
  { id: 'plotly.js-style-global', className: 'no-inline-styles' },
  { id: '9f215cf04c5486422605d13261cb87401f4e7763b6296af81e98efbc0130da53', className: '' }
]

function markPlotlyStylesAsShipped () {
  for (const { id, className } of SHIPPED_STYLE_ELEMENTS) {
    if (document.getElementById(id)) continue
    const marker = document.createElement('meta')
    marker.id = id
    marker.className = className
    marker.name = 'rj-plotly-styles-not-needed'
    document.head.appendChild(marker)
  }
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

async function drawCharts () {
  const elements = [...document.querySelectorAll(CHART_SELECTOR)]
  if (!elements.length) return
  const Plotly = await loadPlotly(elements[0].dataset.rjPlotlySrc)
  for (const element of elements) {
    const figure = readFigure(element)
    try {
      await Plotly.newPlot(element, figure.data, figure.layout, figure.config)
      element.classList.add('rj-chart__plot--drawn')
    } catch (error) {
      // The table next to the chart still has the data; do not leave an empty box.
      element.classList.add('rj-chart__plot--failed')
      console.error(`Chart ${element.dataset.rjChart} could not be drawn`, error)
    }
  }
}

drawCharts().catch((error) => {
  for (const element of document.querySelectorAll(CHART_SELECTOR)) element.classList.add('rj-chart__plot--failed')
  console.error(error)
})
