// temporary dev helper (deleted before finishing)
import { chromium } from 'playwright-core';
const [base, out, ...hashes] = process.argv.slice(2);
const ctx = await chromium.launchPersistentContext('/tmp/h4-dev/profile', { executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu'], viewport: { width: 1366, height: 860 } });
const page = ctx.pages()[0] || await ctx.newPage();
page.on('console', (m) => m.type() === 'error' && console.log('console:', m.text()));
page.on('pageerror', (e) => console.log('pageerror:', e.message));
await page.goto(base + '/');
if (await page.locator('input[name=email]').count() || await page.locator('input[name=email]').waitFor({ timeout: 1500 }).then(() => 1, () => 0)) {
  await page.fill('input[name=email]', 'dev@example.com'); await page.fill('input[name=password]', 'devdevdev'); await page.click('button[type=submit]');
  await page.locator('h1').first().waitFor();
}
for (const [i, h] of hashes.entries()) {
  await page.goto(base + '/' + h); await page.waitForTimeout(800);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: 1366, height: Math.min(Math.max(height, 860), 3000) });
  await page.screenshot({ path: `${out}/dev-${i}.png` });
  await page.setViewportSize({ width: 1366, height: 860 });
}
await ctx.close();
