// 一表申请 end to end: the demo restaurant company opens "开办餐饮店" on a phone, finds its basic
// information pre-filled, attaches its business licence from the e-licence library after seeing what each
// department will read, uploads its floor plan and other documents, submits; the front desk accepts on a
// desktop; market regulation's officers take both of its cases through their chains in the console, each step
// by another person
// (the other departments by API); the company sees "ready to collect" and the new food licence.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

async function axeClean(page, what) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  const bad = r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).slice(0, 3)}`), what).toEqual([]);
}

async function signIn(page, login, password = 'Tongban-demo-2026') {
  await page.goto('/login');
  await page.getByLabel('身份证号 / 统一社会信用代码 / 工作人员登录名').fill(login);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).not.toHaveURL(/\/login/);
  // Staff land on /staff, which the resident bundle hands over to the console bundle with a full page load:
  // wait for the console's own heading so the next goto isn't interrupted by that load.
  if (login.includes('.')) await expect(page.getByRole('heading', { level: 1, name: '工作台' })).toBeVisible();
}

const pdf = (name) => ({ name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${name}\n`) });

test('a restaurant applies with one form and gets its food licence', async ({ page, browser }) => {
  test.setTimeout(150_000);
  const crashes = [];
  page.on('pageerror', e => crashes.push(e.message));
  await signIn(page, '91440101MA5CJQ4N59');
  await page.goto('/bundles/open-restaurant');
  await page.locator('#apply-link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('一表申请');
  await expect(page.locator('#form-saving')).toContainText('共 34 项，分别填写需 59 项');
  // Pre-filled from the saved profile: nothing typed twice.
  await expect(page.locator('#f-applicant_name')).toHaveValue('李娜');
  await expect(page.locator('#f-company_name')).toHaveValue('上海普陀示例餐饮有限公司');
  await expect(page.locator('#f-uscc')).toHaveValue('91440101MA5CJQ4N59');
  // A wrong value is caught as the field is left, with the shared message next to it.
  await page.locator('#f-premises_area').fill('0');
  await page.locator('#f-premises_area').blur();
  await expect(page.locator('#e-premises_area')).toHaveText('请输入范围内的整数');
  await page.locator('#f-premises_area').fill('120');
  await page.locator('#f-company_type').selectOption('llc');
  await page.locator('#f-registered_capital').fill('50');
  await page.locator('#f-business_scope').fill('餐饮服务');
  await page.locator('#f-outdoor_sign').selectOption('yes');
  await expect(page.locator('#f-sign_area')).toBeVisible();
  await page.locator('#f-outdoor_sign').selectOption('no');
  await expect(page.locator('#f-sign_area')).toBeHidden();
  await page.locator('#f-food_category').selectOption('hot');
  await page.locator('#f-seats').fill('40');
  await page.locator('#f-finance_name').fill('王小明');
  await page.locator('#f-finance_id').fill('11010519491231002X');
  await page.locator('#f-invoice_type').selectOption('normal');
  await page.locator('#f-invoice_count').fill('50');
  // The business licence from the library, after the preview of who reads what.
  const bl = page.locator('#f-lic_business_licence .licence').first();
  await expect(bl.locator('.receivers')).toContainText('区市场监管局');
  await expect(bl.locator('.share-preview')).toContainText('91440101MA5CJQ4N59');
  for (const key of ['lic_business_licence', 'lic_rep_id', 'lic_shareholder', 'lic_finance_id', 'lic_agent_id']) {
    const card = page.locator(`#f-${key} .licence`).first();
    await card.getByRole('radio').check();
    await card.locator('input.consent').check();
  }
  // An upload shows its progress while it is sent, and the field is busy; one that fails says why and is
  // sent again with one tap, without choosing the file anew.
  const uploads = '**/api/v1/uploads?**';
  await page.route(uploads, async route => {
    await new Promise(r => setTimeout(r, 1500));
    await route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unavailable', message: '服务暂时不可用，请稍后再试', field: null } }) });
  });
  await page.locator('#f-f_floor_plan').setInputFiles(pdf('平面图.pdf'));
  await expect(page.locator('.upload-progress')).toBeVisible();
  await expect(page.locator('#f-f_floor_plan')).toBeDisabled();
  await expect(page.locator('#e-f_floor_plan')).toHaveText('服务暂时不可用，请稍后再试');
  await page.unroute(uploads);
  await page.getByRole('button', { name: '重新上传' }).click();
  await expect(page.getByText('✓ 平面图.pdf')).toBeVisible();
  await expect(page.locator('#e-f_floor_plan')).toBeEmpty();
  // A page passed off as a PDF by its name is refused by its bytes, with the reason beside the field.
  await page.locator('#f-f_articles').setInputFiles({ name: '章程.pdf', mimeType: 'application/pdf', buffer: Buffer.from('<html><script>alert(1)</script>') });
  await expect(page.locator('#e-f_articles')).toHaveText('只能上传 PDF、JPEG 或 PNG 文件');
  for (const [key, name] of [['f_articles', '章程.pdf'], ['f_appointments', '任职文件.pdf'], ['f_address_pledge', '住所承诺书.pdf'], ['f_floor_plan', '平面图.pdf'], ['f_food_safety', '食品安全制度.pdf']]) {
    await page.locator(`#f-${key}`).setInputFiles(pdf(name));
    await expect(page.getByText(`✓ ${name}`)).toBeVisible();
  }
  await axeClean(page, 'one form');
  await page.locator('#submit-application').click();
  await expect(page).toHaveURL(/\/applications\/[0-9a-f]{32}$/);
  await expect(page.locator('#app-state')).toHaveText('已提交，待受理');
  const number = (await page.locator('#app-number').textContent()).trim();
  expect(number).toMatch(/^TB\d{8}/);
  await expect(page.locator('#app-cases li')).toHaveCount(5);
  const appId = page.url().split('/').pop();

  // The front desk, on a desktop.
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(desk, 'window.putuo');
  await desk.goto('/staff/desk');
  await desk.locator('#desk-queue li', { hasText: number }).getByRole('link').click();
  await expect(desk.locator('#answers-caption')).toBeVisible();
  await axeClean(desk, 'front desk application');
  await desk.locator('#accept').click();
  await expect(desk.locator('#desk-state')).toHaveText('已受理，办理中');

  // 市场监管 works its two cases in the console, each step by another person (一审一核, 承办→审核→决定):
  // 赵磊 handles, 钱峰 reviews where the chain has a review, 冯洁 decides. 绿化市容 and 税务 by API.
  const officers = [['approver.scjg', '赵磊'], ['approver.scjg.review', '钱峰'], ['approver.scjg.decide', '冯洁']];
  for (const [i, [login, name]] of officers.entries()) {
    const officer = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(officer, login);
    for (const item of ['企业设立登记', '食品经营许可']) {
      await officer.goto('/staff/cases');
      await officer.locator('#cases li', { hasText: number }).filter({ hasText: item }).getByRole('link').click();
      await expect(officer.locator('#part-caption')).toBeVisible();
      if (await officer.locator('#case-pass').isVisible()) {
        const before = await officer.locator('#case-state').textContent();
        await officer.locator('#case-pass').click();
        await expect(officer.locator('#case-state')).not.toHaveText(before);
        // Who did the step is on the case, and the next one is someone else's.
        await expect(officer.locator('#case-steps')).toContainText(`${name}（本人）`);
        await expect(officer.locator('#case-why-not')).toBeVisible();
        await expect(officer.locator('#case-pass, #case-approve')).toHaveCount(0);
      } else if (await officer.locator('#case-approve').isVisible()) {
        expect(i, `${login} decides`).toBe(2);
        await expect(officer.locator('#case-steps')).toContainText('赵磊');
        await officer.locator('#case-approve').click();
        await expect(officer.locator('#case-state')).toContainText('准予许可');
        await expect(officer.locator('#case-steps')).toContainText(`决定 · ${name}（本人）`);
      } else {
        // Not this person's step (the food licence's chain may have no review): the page says why.
        await expect(officer.locator('#case-why-not')).toBeVisible();
      }
    }
    if (i === 0) await axeClean(officer, 'case after handling');
    await officer.context().close();
  }
  await expect(async () => {
    const rows = await (await page.request.get(`/api/v1/applications/${appId}`)).json();
    expect(rows.cases.filter(c => c.department.zh.includes('市场监管')).every(c => c.state === 'approved')).toBe(true);
  }).toPass();
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'admin.district');
  const origin = new URL(page.url()).origin;
  for (const dept of ['lhsr', 'swj']) {
    const team = {};
    for (const duty of ['handle', 'review', 'decide']) {
      const login = `ap.${dept}.${duty}.${Date.now()}`;
      const made = await admin.request.post('/api/v1/staff', { headers: { Origin: origin }, data: { login, name: '审批员', role: 'approver', dept_id: dept, password: 'approver of the browser test', duties: [duty] } });
      expect(made.status()).toBe(201);
      const ap = await (await browser.newContext()).newPage();
      await signIn(ap, login, 'approver of the browser test');
      team[duty] = ap;
    }
    const cases = await (await team.handle.request.get('/api/v1/cases')).json();
    for (const c of cases.filter(c => c.number.startsWith(number) && c.state === 'handling')) {
      for (let i = 0; i < 3; i++) {
        const task = await (await team.handle.request.get(`/api/v1/cases/${c.id}`)).json();
        if (task.case.state !== 'handling') break;
        const ap = team[task.case.step];
        const action = task.case.step === 'decide' ? { action: 'decide', approve: true, note: '准予' } : { action: 'pass', note: '齐全' };
        expect((await ap.request.post(`/api/v1/cases/${c.id}/actions`, { headers: { Origin: origin }, data: action })).status()).toBe(200);
      }
    }
  }

  // Unified output: the company is told once, and the food licence is in its library.
  await page.goto(`/applications/${appId}`);
  await expect(page.locator('#app-state')).toHaveText('已办结，待领取');
  await expect(page.locator('#ready-note')).toBeVisible();
  await axeClean(page, 'application');
  await page.goto('/licences');
  await expect(page.locator('#licences li', { hasText: '食品经营许可证' }).filter({ hasText: number })).toContainText('本次办件签发');
  expect(crashes).toEqual([]);
});
