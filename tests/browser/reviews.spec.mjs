// 好差评 end to end, on four screens: a walk-in is served at the district center's window, the resident
// reviews it on a phone as 非常不满意, the department's approver verifies and rectifies, the resident rates
// the fix, and the public dashboard counts it.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { newResidentId } from './ids.mjs';

async function axeClean(page, what) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  const bad = r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).slice(0, 3)}`), what).toEqual([]);
}

async function signIn(browser, login, viewport = { width: 1280, height: 900 }) {
  const page = await (await browser.newContext({ viewport })).newPage();
  const crashes = [];
  page.on('pageerror', e => crashes.push(e.message));
  await page.goto('/login');
  await page.getByLabel('身份证号 / 统一社会信用代码 / 工作人员登录名').fill(login);
  await page.getByLabel('密码').fill('Tongban-demo-2026');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/staff$/);
  return { page, crashes };
}

async function figures(request) {
  const r = await request.get('/api/v1/dashboard?center=putuo-district');
  expect(r.status()).toBe(200);
  return (await r.json()).total.tally;
}

test('served → reviewed 非常不满意 on a phone → verified and rectified → fix rated → counted in public', async ({ page, browser }) => {
  const crashes = [];
  page.on('pageerror', e => crashes.push(e.message));
  const before = await figures(page.request);
  const text = `窗口人员态度生硬，反复让我补材料 ${Date.now()}`;

  // The resident, on their phone (the test's default viewport).
  await page.goto('/register');
  await page.getByLabel('姓名').fill('吴九');
  await page.getByLabel('身份证号码').fill(newResidentId());
  await page.getByLabel('手机号码').fill('13866665555');
  await page.getByLabel('密码', { exact: true }).fill('我想评价窗口服务');
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page).toHaveURL(/\/me$/);

  // The window (陈静 at the district center, window 6) empties its line first.
  const { page: desk, crashes: deskCrashes } = await signIn(browser, 'window.putuo2');
  await desk.getByRole('link', { name: '窗口叫号' }).click();
  await desk.getByLabel('窗口号').fill('6');
  const none = desk.getByText('当前没有等候的号');
  for (;;) {
    await desk.getByRole('button', { name: '呼叫下一位' }).click();
    // Either a ticket comes to the window or the line is empty (the previous call's text may linger).
    await expect(desk.locator('#current-number').or(none).first()).toBeVisible();
    if (await none.isVisible()) break;
    await desk.getByRole('button', { name: '开始办理' }).click();
    await desk.getByRole('button', { name: '当场办结' }).click();
    await expect(desk.locator('#current-number')).toHaveCount(0);
  }

  // A walk-in ticket at the kiosk, with its review code.
  const kiosk = await (await browser.newContext({ viewport: { width: 1080, height: 1920 } })).newPage();
  await kiosk.goto('/kiosk/putuo-district');
  await kiosk.getByRole('button', { name: /取号 · A/ }).click();
  const number = (await kiosk.locator('#issued-number').textContent()).trim();
  const code = (await kiosk.locator('#issued-review-code').textContent()).trim();
  expect(code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
  const link = await kiosk.locator('#ticket-link').getAttribute('href');

  // Called, served, finished on the spot with the item recorded (市场监管局's 企业设立登记).
  await desk.getByRole('button', { name: '呼叫下一位' }).click();
  await expect(desk.locator('#called')).toContainText(`请 ${number} 号到 6 号窗口办理`);
  await desk.getByRole('button', { name: '开始办理' }).click();
  await desk.getByLabel(/办理事项/).selectOption('scjg-company-setup');
  await desk.getByRole('button', { name: '当场办结' }).click();
  await expect(desk.locator('#current-number')).toHaveCount(0);

  // The phone follows the ticket, which now invites a review.
  await page.goto(link);
  await expect(page.locator('#review-code')).toHaveText(code);
  await page.locator('#review-link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('评价本次服务');
  await expect(page.getByText('企业设立登记')).toBeVisible();
  await axeClean(page, 'review form');
  // A bad review needs a reason and a text: the form says so before anything is sent.
  await page.getByLabel('非常不满意').check();
  await page.locator('#f-efficiency').getByLabel('1', { exact: true }).check();
  await page.locator('#f-competence').getByLabel('2', { exact: true }).check();
  await page.locator('#f-attitude').getByLabel('1', { exact: true }).check();
  await page.getByRole('button', { name: '提交评价' }).click();
  await expect(page.locator('#reason-error')).toHaveText('差评请选择原因');
  await page.getByLabel('差评原因').selectOption('attitude');
  await page.getByLabel('具体情况').fill(text);
  await page.getByRole('button', { name: '提交评价' }).click();
  await expect(page.locator('#review-done')).toContainText('已生成差评整改工单');

  // The department's approver (市场监管局) verifies and reports the fix.
  const { page: approver, crashes: apCrashes } = await signIn(browser, 'approver.scjg');
  await approver.getByRole('link', { name: '差评工单' }).click();
  await approver.getByLabel('状态').selectOption('verifying');
  await approver.locator('#work-orders li', { hasText: text.slice(0, 20) }).getByRole('link').click();
  await expect(approver.locator('#order-review-text')).toHaveText(text);
  await expect(approver.locator('#order-facts')).toContainText('吴*');
  await axeClean(approver, 'work order');
  await approver.getByRole('button', { name: '核实有效，开始整改' }).click();
  await expect(approver.getByRole('heading', { level: 1 })).toContainText('整改中');
  await approver.getByLabel('说明').fill('已约谈窗口人员，统一一次性告知材料清单');
  await approver.getByRole('button', { name: '提交整改结果' }).click();
  await expect(approver.getByRole('heading', { level: 1 })).toContainText('已整改，待回访');
  await expect(approver.locator('#order-history li')).toHaveCount(3);

  // The resident hears of it and rates the fix.
  await page.goto('/reviews');
  const mine = page.locator('#my-reviews li', { hasText: text.slice(0, 20) });
  await expect(mine).toContainText('已约谈窗口人员');
  await axeClean(page, 'my reviews');
  await mine.getByRole('button', { name: '满意', exact: true }).click();
  await expect(page.locator('#my-reviews li', { hasText: text.slice(0, 20) })).toContainText('已整改办结');

  // The public dashboard counts it: one more bad review, rectified and called back.
  const after = await figures(page.request);
  expect(after.bad).toBe(before.bad + 1);
  expect(after.rectified).toBe(before.rectified + 1);
  expect(after.called_back).toBe(before.called_back + 1);
  const pub = await (await browser.newContext()).newPage();
  await pub.goto('/dashboard?center=putuo-district');
  await expect(pub.locator('#dash-center')).toHaveValue('putuo-district');
  await expect(pub.locator('#fig-bad')).toContainText(String(after.bad));
  await expect(pub.locator('#dash-fresh')).toContainText('数据截至');
  await expect(pub.getByText(text.slice(0, 20))).toHaveCount(0);
  await axeClean(pub, 'public dashboard');

  expect([...crashes, ...deskCrashes, ...apCrashes]).toEqual([]);
});
