// The referral import page: ask for the import's progress every few seconds, show it in the
// page's live region, and reload the page once the import has finished (to show the result).
// Without this script the page's "Check progress" link does the same by hand.
const region = document.getElementById("import-progress");

if (region) {
  const url = region.dataset.progressUrl;
  const seconds = Number(region.dataset.progressSeconds) || 2;

  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const progress = await response.json();
        if (progress.finished) {
          window.location.reload();
          return;
        }
        if (region.textContent.trim() !== progress.text) {
          region.textContent = progress.text;
        }
      }
    } catch {
      // A dropped connection: try again at the next tick.
    }
    window.setTimeout(poll, seconds * 1000);
  };

  window.setTimeout(poll, seconds * 1000);
}
