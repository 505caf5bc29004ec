// The catalogue as a resident on a phone uses it.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

async function noSeriousAxeViolations(page, what) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  const bad = results.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')})`), what).toEqual([]);
}

test('search 营业执照 from the home page, open the item, see its materials', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('一网通办');
  await page.getByRole('searchbox').fill('营业执照');
  await page.getByRole('button', { name: '搜索' }).click();
  await expect(page).toHaveURL(/\/search\?q=/);
  await expect(page.locator('#result-count')).toContainText(/搜索结果 \d+ 个事项/);
  const first = page.locator('.item-card').first();
  await expect(first).toContainText('营业执照');
  await first.getByRole('link').click();
  await expect(page).toHaveURL(/\/items\/scjg-company-setup$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('企业设立登记');
  await expect(page.getByRole('heading', { name: '申请材料' })).toBeVisible();
  const materials = page.locator('.materials li');
  expect(await materials.count()).toBeGreaterThan(1);
  await expect(materials.first()).toContainText(/原件|复印件|电子材料/);
  await expect(page).toHaveTitle(/企业设立登记.*通办/);
  // The checklist is usable by touch and keyboard: ticking a material marks it.
  const box = materials.first().getByRole('checkbox');
  await box.check();
  await expect(box).toBeChecked();
});

test('switch to English and back; the choice survives a reload', async ({ page }) => {
  await page.goto('/items/scjg-company-setup');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('企业设立登记');
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Company registration');
  await expect(page.getByRole('heading', { name: 'Materials' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Company registration');
  await expect(page).toHaveTitle(/Company registration.*Tongban/);
  await page.getByRole('button', { name: '切换到中文' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('企业设立登记');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
});

test('deep links load directly and after a reload', async ({ page }) => {
  for (const [path, heading] of [
    ['/centers/putuo-district', '普陀区行政服务中心'],
    ['/bundles/open-restaurant', '餐饮'],
    ['/search?q=%E7%A4%BE%E4%BF%9D&flag=online', '办事指南'],
  ]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(heading);
    await page.reload();
    await expect(page.getByRole('heading', { level: 1 })).toContainText(heading);
  }
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('页面不存在');
  await page.goto('/items/no-such-item');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('页面不存在');
});

test('an earlier guide version is readable and says so', async ({ page }) => {
  await page.goto('/items/scjg-company-setup?v=1');
  await expect(page.getByRole('note')).toContainText('历史版本 v1');
  await page.getByRole('link', { name: '查看当前版本' }).click();
  await expect(page).toHaveURL(/\/items\/scjg-company-setup$/);
  await expect(page.getByRole('note')).toHaveCount(0);
});

test('when the API is down the page says so and retry recovers', async ({ page }) => {
  await page.route('**/api/v1/items**', route => route.abort('connectionrefused'));
  await page.goto('/search?q=%E5%B1%85%E4%BD%8F%E8%AF%81');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('无法连接服务器');
  await page.unroute('**/api/v1/items**');
  await alert.getByRole('button', { name: '重试' }).click();
  await expect(page.locator('#result-count')).toContainText(/搜索结果 [1-9]\d* 个事项/);
});

test('an overlong search is stopped in the browser with the shared message', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('searchbox').fill('营'.repeat(101));
  await page.getByRole('button', { name: '搜索' }).click();
  await expect(page.locator('#search-error')).toHaveText('搜索词不能超过 100 个字');
  await expect(page.getByRole('searchbox')).toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(/\/$/);
});

test('filters: flags and department narrow the results and live in the URL', async ({ page }) => {
  await page.goto('/search');
  const count = async () => Number((await page.locator('#result-count').textContent()).match(/\d+/)[0]);
  await expect(page.locator('#result-count')).toBeVisible();
  const all = await count();
  await page.getByRole('button', { name: '零跑动' }).click();
  await expect(page.getByRole('button', { name: '零跑动' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page).toHaveURL(/flag=zero_trip/);
  await expect.poll(count).toBeLessThan(all);
  await page.getByLabel('部门').selectOption('scjg');
  await expect(page).toHaveURL(/dept=scjg/);
  // Auto-retrying: the list is replaced when the new results arrive.
  const cards = page.locator('.item-card');
  await expect(cards.filter({ hasNotText: '市场监管' })).toHaveCount(0);
  await expect(cards.filter({ hasNotText: '零跑动' })).toHaveCount(0);
  await expect(cards).not.toHaveCount(0);
});

test('elder mode enlarges text and persists', async ({ page }) => {
  await page.goto('/');
  const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  const before = await size();
  await page.getByRole('button', { name: '长辈模式' }).click();
  await expect(page.locator('html')).toHaveClass(/elder/);
  expect(await size()).toBeGreaterThan(before * 1.2);
  await page.reload();
  await expect(page.locator('html')).toHaveClass(/elder/);
});

for (const [name, path] of [
  ['home', '/'],
  ['search', '/search?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7'],
  ['item', '/items/scjg-company-setup'],
  ['centers', '/centers'],
  ['center', '/centers/putuo-district'],
]) {
  test(`axe: no serious or critical violations on ${name}`, async ({ page }) => {
    await page.goto(path);
    await expect(page.locator('main h1, main h2').first()).toBeVisible();
    await expect(page.locator('.loading')).toHaveCount(0);
    await noSeriousAxeViolations(page, name);
    await page.getByRole('button', { name: '长辈模式' }).click();
    await noSeriousAxeViolations(page, `${name} in elder mode`);
  });
}

test('the first visit fetches the home page only; another page fetches its own chunk when first opened', async ({ page }) => {
  const wasm = [];
  page.on('request', r => { if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname.split('/').pop()); });
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('一网通办');
  await expect(page.locator('.loading')).toHaveCount(0);
  expect(wasm, 'the home page is in the main module').toEqual(['tongban_app_bg.wasm']);
  await page.getByRole('searchbox').fill('居住证');
  await page.getByRole('button', { name: '搜索' }).click();
  await expect(page.locator('#result-count')).toContainText(/搜索结果 [1-9]\d* 个事项/);
  expect(wasm.some(f => f.startsWith('split___search_route_view')), wasm.join(' ')).toBe(true);
  expect(wasm.some(f => f.startsWith('split___book_route_view')), 'pages not opened are not fetched').toBe(false);
});

for (const [path, point, heading] of [
  ['/items/scjg-company-setup', 'item_route', '企业设立登记'],
  ['/dashboard', 'dashboard_route', '好差评'],
]) {
  test(`${path} opened by its own URL fetches its chunks once, while the main module downloads`, async ({ page }) => {
    const wasm = [];
    page.on('request', r => { if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname.split('/').pop()); });
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(heading);
    // The bundle's preload.js preloads the route's chunks; the loader's own fetch is served by that preload.
    const preloaded = await page.locator('link[rel=preload][as=fetch]').evaluateAll(ls => ls.map(l => l.href.split('/').pop()));
    const own = wasm.filter(f => f.startsWith(`split___${point}_view`));
    expect(own, wasm.join(' ')).toHaveLength(1);
    expect(preloaded).toContain(own[0]);
    expect(new Set(wasm).size, `no file fetched twice: ${wasm.join(' ')}`).toBe(wasm.length);
  });
}

test('a link from a resident page to the public dashboard loads the console bundle', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('一网通办');
  const consoleBundle = page.waitForRequest(r => /\/assets\/console-[0-9a-f]+\/tongban_app_bg\.wasm$/.test(r.url()));
  await page.locator('footer a[href="/dashboard"]').click();
  await consoleBundle;
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('好差评');
});

// Layout shift while answers arrive late (a slow phone network): placeholders hold the space of what
// replaces them. The API is delayed by 1.5 s, and every layout-shift entry the page reports is summed.
for (const [name, path, ready] of [
  ['home', '/', '.item-card'],
  ['item', '/items/scjg-company-setup', '.materials li'],
]) {
  test(`cumulative layout shift stays under 0.1 on ${name} with a slow API`, async ({ page }) => {
    await page.addInitScript(() => {
      window.__cls = 0;
      new PerformanceObserver(list => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.route('**/api/v1/**', async route => {
      await new Promise(r => setTimeout(r, 1500));
      await route.continue();
    });
    await page.goto(path);
    await expect(page.locator(ready).first()).toBeVisible();
    await expect(page.locator('.loading')).toHaveCount(0);
    await page.waitForTimeout(500);
    const cls = await page.evaluate(() => window.__cls);
    expect(cls, `CLS on ${name}`).toBeLessThan(0.1);
  });
}
