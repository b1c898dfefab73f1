"""The one Content-Security-Policy allowance that pages with charts need.

The site's policy (settings: CONTENT_SECURITY_POLICY) has no inline scripts or styles, and
plotly.js draws within it:
- its figures arrive through json_script and static/js/charts.js, so script-src stays 'self';
- the stylesheets it would write into <style> elements ship in application.css instead
  (assets/scss/_charts.scss), and charts.js tells plotly.js so before it loads;
- everything else it styles through the CSSOM (element.style), which CSP does not govern.

What remains: drawing a colour bar (the key of every map), plotly.js clears each colour bar
rectangle's style attribute with `style=""`. CSP treats that as an inline style attribute and
refuses it (harmlessly, but as a console error on every map). The allowance below permits
exactly one inline style attribute: the empty one, by its hash, through `style-src-attr` and
'unsafe-hashes'. Style attributes with any content, and all <style> elements, are still refused.
It applies only to views that draw charts, never site-wide, and script-src is never loosened.

Function views:           @charts_csp
Class-based views:        class DashboardView(ChartsCspMixin, ..., TemplateView)
"""

from csp.constants import UNSAFE_HASHES
from csp.decorators import csp_update
from django.utils.decorators import method_decorator

# base64(sha256("")): the hash of an empty style attribute.
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"

CHARTS_CSP = {"style-src-attr": [UNSAFE_HASHES, EMPTY_STYLE_HASH]}

charts_csp = csp_update(CHARTS_CSP)


class ChartsCspMixin:
    """For class-based views that draw charts; put it first among the bases."""

    @method_decorator(charts_csp)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)
