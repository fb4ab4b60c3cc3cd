// Starting Chromium for the tests, tried up to three times: on this machine Debian's chromium
// now and then dies with SIGSEGV while starting, before any page exists (playwright reports
// "Target page, context or browser has been closed" from the launch itself). Only a failed
// launch is retried; anything after it fails the test as usual. No imports: the browser, site
// and package tests each pass their own playwright-core.

/**
 * @param {import('playwright-core').BrowserType} chromium
 * @param {string} dir  profile directory
 * @param {object} options  launchPersistentContext options (executablePath, args, headless, …)
 * @returns {Promise<import('playwright-core').BrowserContext>}
 */
export async function launchWithRetry(chromium, dir, options) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await chromium.launchPersistentContext(dir, options);
    } catch (e) {
      if (attempt >= 3 || !/has been closed|SIGSEGV/.test(String(/** @type {Error} */ (e).message))) throw e;
      console.error(`[launch] Chromium died while starting (attempt ${attempt}); starting it again`);
    }
  }
}
