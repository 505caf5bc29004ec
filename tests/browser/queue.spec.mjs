// The hall queue with three screens: the kiosk, the resident's phone, the window, and the hall display.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { execFileSync } from 'node:child_process';

async function axeClean(page, what) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  const bad = r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).slice(0, 3)}`), what).toEqual([]);
}

// wanli's window staff, signed in on a desktop screen, on the window console; page errors collected.
async function windowConsole(browser) {
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const crashes = [];
  desk.on('pageerror', e => crashes.push(e.message));
  await desk.goto('/login');
  await desk.getByLabel('身份证号 / 统一社会信用代码 / 工作人员登录名').fill('window.wanli');
  await desk.getByLabel('密码').fill('Tongban-demo-2026');
  await desk.getByRole('button', { name: '登录' }).click();
  await expect(desk).toHaveURL(/\/staff$/);
  await desk.getByRole('link', { name: '窗口叫号' }).click();
  return { desk, crashes };
}

test('kiosk ticket → phone shows place → window calls → phone says your turn, display shows it', async ({ browser }) => {
  const center = 'wanli';
  // The window first: sign in as wanli's window staff and empty the day's line.
  const { desk } = await windowConsole(browser);
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
  // One button per line: A for the any-item windows, B for 社保医保 at this center.
  await expect(kiosk.getByRole('button', { name: /取号 · A/ })).toBeVisible();
  await expect(kiosk.getByRole('button', { name: /取号 · B 社保医保/ })).toBeVisible();
  await axeClean(kiosk, 'kiosk');
  await kiosk.getByRole('button', { name: /取号 · A/ }).click();
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

function d1(sql) {
  const root = new URL('../..', import.meta.url).pathname;
  execFileSync(`${root}node_modules/.bin/wrangler`, ['d1', 'execute', 'tongban', '--local', '--persist-to', process.env.TONGBAN_STATE_DIR, '--command', sql],
    { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' }, stdio: 'pipe' });
}

function beijingNow() {
  const t = new Date(Date.now() + 8 * 3600 * 1000).toISOString();
  return { day: t.slice(0, 10), time: t.slice(11, 16) };
}

function residentId() {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const n = (Date.now() + 271) % 1000;
  const first17 = `310104${1950 + (n % 40)}0${1 + (n % 9)}${String(10 + (n % 18)).padStart(2, '0')}${String(n).padStart(3, '0')}`;
  const s = [...first17].reduce((acc, d, i) => acc + Number(d) * w[i], 0);
  return first17 + '10X98765432'[s % 11];
}

test('book → QR → check in at the kiosk → window calls → phone says your turn, display shows it', async ({ browser }) => {
  test.setTimeout(90_000);
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })).newPage();
  await phone.goto('/register');
  await phone.getByLabel('姓名').fill('吴九');
  await phone.getByLabel('身份证号码').fill(residentId());
  await phone.getByLabel('手机号码').fill('13966665555');
  await phone.getByLabel('密码', { exact: true }).fill('今天去万里办社保卡');
  await phone.getByRole('button', { name: '注册' }).click();
  await expect(phone).toHaveURL(/\/me$/);
  await phone.goto('/book/rsj-social-security-card');
  await phone.getByRole('button', { name: '万里街道社区事务受理服务中心' }).click();
  await phone.locator('#days button').first().click();
  await phone.locator('#slots button').first().click();
  await phone.getByRole('button', { name: '预约此时段' }).click();
  await phone.getByRole('button', { name: '确认预约' }).click();
  await expect(phone.getByRole('img', { name: '预约码二维码' })).toBeVisible();
  const code = (await phone.locator('#booking-code').textContent()).trim();

  // Bookings start from the next working day; for the test, the booking is moved to now.
  const now = beijingNow();
  d1(`UPDATE bookings SET date = '${now.day}', start = '${now.time}' WHERE code = '${code}';`);

  const kiosk = await (await browser.newContext({ viewport: { width: 1080, height: 1920 } })).newPage();
  await kiosk.goto('/kiosk/wanli');
  await kiosk.getByLabel('预约码').fill(code.toLowerCase());
  await kiosk.getByRole('button', { name: '签到' }).click();
  const number = (await kiosk.locator('#issued-number').textContent()).trim();
  expect(number).toMatch(/^A\d{3,}$/);
  await expect(kiosk.locator('#late-note')).toHaveCount(0);
  await phone.goto(await kiosk.locator('#ticket-link').getAttribute('href'));
  await expect(phone.locator('#ticket-number')).toHaveText(number);
  // A checked-in booking is served before every walk-in: nobody is ahead.
  await expect(phone.locator('#ticket-ahead')).toHaveText('0 人');

  const display = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
  await display.goto('/display/wanli');

  const { desk, crashes } = await windowConsole(browser);
  await desk.getByLabel('窗口号').fill('2');
  await expect(desk.locator('#window-class')).toContainText('综合窗口');
  await desk.getByRole('button', { name: '呼叫下一位' }).click();
  await expect(desk.locator('#called')).toContainText(`请 ${number} 号到 2 号窗口办理`);
  await expect(phone.getByRole('alert')).toHaveText('轮到您了', { timeout: 15_000 });
  await expect(phone.locator('#turn-window')).toHaveText('请到 2 号窗口');
  await expect(display.locator('#calls .call.latest')).toContainText(number, { timeout: 10_000 });

  // The window serves it: start, then completed on the spot; the day's count goes up.
  await expect(desk.locator('#current-number')).toHaveText(number, { timeout: 15_000 });
  await desk.getByRole('button', { name: '开始办理' }).click();
  await desk.getByRole('button', { name: '当场办结' }).click();
  await expect(desk.locator('#current-number')).toHaveCount(0);
  await expect(desk.locator('#served-today')).not.toHaveText('0');
  await axeClean(desk, 'window console');
  // The console refreshes itself every 10 s; it must survive that (no panic in the wasm).
  await desk.waitForTimeout(11_000);
  await expect(desk.locator('#window-class')).toContainText('综合窗口');
  expect(crashes).toEqual([]);
});

test('a center admin registers a kiosk; the machine enrols from the link and issues tickets as itself', async ({ browser }) => {
  const admin = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await admin.goto('/login');
  await admin.getByLabel('身份证号 / 统一社会信用代码 / 工作人员登录名').fill('admin.wanli');
  await admin.getByLabel('密码').fill('Tongban-demo-2026');
  await admin.getByRole('button', { name: '登录' }).click();
  await expect(admin).toHaveURL(/\/staff$/);
  await admin.goto('/staff/center');
  const label = `二楼 ${Date.now() % 100000} 号机`;
  await admin.getByLabel('终端名称').fill(label);
  await admin.getByRole('button', { name: '登记终端' }).click();
  const link = (await admin.locator('#kiosk-link code').textContent()).trim();
  expect(link).toMatch(/\/kiosk\/wanli#kiosk-key=[A-Za-z0-9_-]{40,}$/);
  await expect(admin.locator('#kiosks')).toContainText(label);
  const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  const kiosk = await (await browser.newContext({ viewport: { width: 1080, height: 1920 } })).newPage();
  const sent = [];
  kiosk.on('request', r => { if (r.url().includes('/tickets')) sent.push(r.headers()['x-kiosk-key'] || ''); });
  await kiosk.goto(link);
  await expect(kiosk.locator('#kiosk-enrolled')).toHaveText('本机已登记为自助终端');
  expect(kiosk.url()).not.toContain('kiosk-key'); // the key leaves the address bar
  await kiosk.getByRole('button', { name: /取号 · A/ }).click();
  await expect(kiosk.locator('#issued-number')).toHaveText(/^A\d{3,}$/);
  expect(sent.length).toBe(1);
  expect(sent[0].length).toBeGreaterThan(40);

  // Revoked on the center page: the machine is refused and says why.
  await admin.reload();
  await admin.locator('#kiosks li', { hasText: label }).getByRole('button', { name: '停用' }).click();
  await expect(admin.locator('#kiosks li', { hasText: label })).toContainText('已停用');
  await kiosk.reload();
  await kiosk.getByRole('button', { name: /取号 · A/ }).click();
  await expect(kiosk.getByText('该自助终端未登记或已停用')).toBeVisible();
});
