// Loaded as a classic script at the top of <body>, before any content is
// drawn. It replaces GOV.UK Frontend's usual inline snippet so that the
// Content-Security-Policy needs no 'unsafe-inline':
// - `js-enabled` lets the styles hide content that JavaScript will reveal
// - `govuk-frontend-supported` tells GOV.UK Frontend the browser can run it
//   (browsers that understand ES modules also know about `noModule`)
document.body.className +=
  ' js-enabled' +
  ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '')
