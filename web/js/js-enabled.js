// Before the page is drawn: tell GOV.UK Frontend's styles that JavaScript runs (a file, not an inline script, so the
// Content-Security-Policy can forbid inline scripts).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
