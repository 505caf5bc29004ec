// The hall queue with three screens: the kiosk, the resident's phone, the window, and the hall display.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

async function axeClean(page, what) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  const bad = r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).slice(0, 3)}`), what).toEqual([]);
}

test('kiosk ticket → phone shows place → window calls → phone says your turn, display shows it', async ({ browser }) => {
  const center = 'wanli';
  // The window first: sign in as wanli's window staff and empty the day's line.
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await desk.goto('/login');
  await desk.getByLabel('身份证号 / 统一社会信用代码 / 工作人员登录名').fill('window.wanli');
  await desk.getByLabel('密码').fill('Tongban-demo-2026');
  await desk.getByRole('button', { name: '登录' }).click();
  await expect(desk).toHaveURL(/\/staff$/);
  await desk.getByRole('link', { name: '窗口叫号' }).click();
  await desk.getByLabel('窗口号').fill('3');
  for (;;) {
    await desk.getByRole('button', { name: '呼叫下一位' }).click();
    await expect(desk.locator('#called')).not.toBeEmpty();
    if ((await desk.locator('#called').textContent()).includes('当前没有等候的号')) break;
    await desk.reload();
    await desk.getByLabel('窗口号').fill('3');
  }

  const kiosk = await (await browser.newContext({ viewport: { width: 1080, height: 1920 } })).newPage();
  await kiosk.goto(`/kiosk/${center}`);
  await expect(kiosk.getByRole('button', { name: '取号' })).toBeVisible();
  await axeClean(kiosk, 'kiosk');
  await kiosk.getByRole('button', { name: '取号' }).click();
  const number = (await kiosk.locator('#issued-number').textContent()).trim();
  expect(number).toMatch(/^A\d{3,}$/);
  const link = await kiosk.locator('#ticket-link').getAttribute('href');

  const display = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
  await display.goto(`/display/${center}`);
  await expect(display.getByRole('heading', { level: 1 })).toHaveText('叫号显示');

  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })).newPage();
  await phone.goto(link);
  await expect(phone.locator('#ticket-number')).toHaveText(number);
  await expect(phone.locator('#ticket-ahead')).toHaveText('0 人');
  await axeClean(phone, 'ticket on a phone');

  await desk.reload();
  await desk.getByLabel('窗口号').fill('3');
  await desk.getByRole('button', { name: '呼叫下一位' }).click();
  await expect(desk.locator('#called')).toContainText(`请 ${number} 号到 3 号窗口办理`);

  // The phone refreshes by itself (every 5 s) and says where to go.
  await expect(phone.getByRole('alert')).toHaveText('轮到您了', { timeout: 15_000 });
  await expect(phone.locator('#turn-window')).toHaveText('请到 3 号窗口');
  // The display polls every 3 s and puts the newest call on top.
  await expect(display.locator('#calls .call.latest')).toContainText(number, { timeout: 10_000 });
  await expect(display.locator('#calls .call.latest')).toContainText('3 号窗口');
  await axeClean(display, 'hall display');
});
