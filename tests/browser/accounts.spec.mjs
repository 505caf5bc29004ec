// Accounts as people use them: a resident registers on a phone, signs out and in, sees masked data;
// staff check an identity at the counter and an admin reads the audit log.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { newResidentId } from './ids.mjs';

const DEMO_PASSWORD = 'Tongban-demo-2026';

async function axeClean(page, what) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  const bad = r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).slice(0, 3)}`), what).toEqual([]);
}

test('a resident registers on a phone, signs out, signs in and sees the masked ID', async ({ page }) => {
  const id = newResidentId();
  await page.goto('/register');
  await axeClean(page, 'register');
  // The same rule as the edge, shown next to the field as soon as it is left.
  await page.getByLabel('身份证号码').fill('340524198001010013');
  await page.getByLabel('手机号码').focus();
  await expect(page.locator('#id_number-error')).toContainText('身份证号码不正确');
  await expect(page.getByLabel('身份证号码')).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('姓名').fill('王小明');
  await page.getByLabel('身份证号码').fill(id.toLowerCase());
  await page.getByLabel('手机号码').fill('13812345678');
  await page.getByLabel('密码', { exact: true }).fill('password');
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page.locator('#password-error')).toContainText('太常见');
  await page.getByLabel('密码', { exact: true }).fill('我在普陀区办事很方便');
  await page.getByRole('button', { name: '注册' }).click();

  await expect(page).toHaveURL(/\/me$/);
  const masked = `${id.slice(0, 4)}**********${id.slice(14)}`;
  await expect(page.locator('#me-id')).toHaveText(masked);
  await expect(page.locator('#me-mobile')).toHaveText('138****5678');
  await expect(page.locator('body')).not.toContainText(id);
  await axeClean(page, 'my info');

  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('link', { name: '登录' })).toBeVisible();

  await page.getByRole('link', { name: '登录' }).click();
  await axeClean(page, 'login');
  await page.getByLabel('身份证号 / 统一社会信用代码 / 工作人员登录名').fill(id);
  await page.getByLabel('密码').fill('wrong password entirely');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '证件号码或密码不正确' })).toBeVisible();
  await page.getByLabel('密码').fill('我在普陀区办事很方便');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/me$/);
  await expect(page.locator('#me-id')).toHaveText(masked);
  await page.reload();
  await expect(page.locator('#me-id')).toHaveText(masked, { timeout: 10_000 });
});

test('window staff check an identity with a reason; the center admin sees it in the audit log', async ({ browser }) => {
  const reason = `核验身份 ${Date.now()}`;
  const staff = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await staff.newPage();
  await page.goto('/login');
  await page.getByLabel('身份证号 / 统一社会信用代码 / 工作人员登录名').fill('window.putuo');
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('工作台');
  await page.getByRole('link', { name: '身份核验' }).click();
  await expect(page).toHaveURL(/\/staff\/lookup$/);
  await axeClean(page, 'identity check');
  await page.getByLabel('身份证号码').fill('11010519491231002X');
  await page.getByRole('button', { name: '查看' }).click();
  await expect(page.locator('#lookup-reason-error')).toContainText('请填写查看原因');
  await page.getByLabel('查看原因').fill(reason);
  await page.getByRole('button', { name: '查看' }).click();
  await expect(page.locator('#person')).toContainText('11010519491231002X');
  await expect(page.locator('#person')).toContainText('张伟');
  await staff.close();

  const admin = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const a = await admin.newPage();
  await a.goto('/login');
  await a.getByLabel('身份证号 / 统一社会信用代码 / 工作人员登录名').fill('admin.putuo');
  await a.getByLabel('密码').fill(DEMO_PASSWORD);
  await a.getByRole('button', { name: '登录' }).click();
  await expect(a).toHaveURL(/\/staff$/);
  await a.getByRole('link', { name: '审计日志' }).click();
  const row = a.locator('table.audit tr').filter({ hasText: reason });
  await expect(row).toContainText('window.putuo');
  await expect(row).toContainText('1101**********002X');
  await expect(row).not.toContainText('11010519491231002X');
  await axeClean(a, 'audit log');
  await a.goto('/staff/posts');
  // The seeded A role (window.putuo) shows its B role (window.putuo2) as the selected backup.
  const primary = a.locator('.post').filter({ has: a.locator('.card-title', { hasText: /· window\.putuo$/ }) });
  await expect(primary).toHaveCount(1);
  await expect(primary.getByLabel('AB角（B角）')).not.toHaveValue('');
  await expect(primary.getByLabel('AB角（B角）').locator('option:checked')).toContainText('window.putuo2');
  await axeClean(a, 'staff posts');
  await admin.close();
});

test('a resident cannot open the staff console', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('身份证号 / 统一社会信用代码 / 工作人员登录名').fill('34052419800101001X');
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/me$/);
  await page.goto('/staff/audit');
  await expect(page.getByRole('alert')).toContainText('没有权限');
});

// A fresh valid unified social credit code (GB 32100-2015).
function newUscc() {
  const cs = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const body = `913101070${String(Date.now() % 100000000).padStart(8, '0')}`;
  const s = [...body].reduce((acc, c, i) => acc + cs.indexOf(c) * w[i], 0);
  return body + cs[(31 - (s % 31)) % 31];
}

test('a business registers, authorises an agent, and the agent sees it', async ({ browser }) => {
  const uscc = newUscc();
  const biz = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await biz.newPage();
  await page.goto('/register');
  await page.getByRole('link', { name: '注册法人账户' }).click();
  await expect(page).toHaveURL(/\/register\/business$/);
  await axeClean(page, 'business registration');
  await page.getByLabel('统一社会信用代码').fill(uscc.slice(0, 17) + (uscc[17] === '0' ? '1' : '0'));
  await page.getByLabel('企业名称').focus();
  await expect(page.locator('#uscc-error')).toContainText('统一社会信用代码不正确');
  await page.getByLabel('统一社会信用代码').fill(uscc);
  await page.getByLabel('企业名称').fill('上海普陀浏览器测试有限公司');
  await page.getByLabel('法定代表人姓名').fill('赵六');
  await page.getByLabel('法定代表人身份证号码').fill(newResidentId());
  await page.getByLabel('联系手机').fill('13855556666');
  await page.getByLabel('密码', { exact: true }).fill('one form for the whole restaurant');
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page).toHaveURL(/\/me$/);
  await expect(page.locator('#me-id')).toHaveText(uscc);
  await page.getByLabel('身份证号码').fill('34052419800101001X');
  await page.getByRole('button', { name: '邀请经办人' }).click();
  // An invitation, not yet an agent: it waits for the resident's answer.
  await expect(page.locator('#agent-invitations')).toContainText('3405**********001X · 待对方确认');
  await expect(page.locator('#agents li')).toHaveCount(0);
  await axeClean(page, 'business my info');

  const agent = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const a = await agent.newPage();
  await a.goto('/login');
  await a.getByLabel('身份证号 / 统一社会信用代码 / 工作人员登录名').fill('34052419800101001X');
  await a.getByLabel('密码').fill(DEMO_PASSWORD);
  await a.getByRole('button', { name: '登录' }).click();
  const invitation = a.locator('#invitation-list li', { hasText: '上海普陀浏览器测试有限公司' });
  await expect(invitation).toBeVisible();
  await axeClean(a, 'resident invitations');
  await invitation.getByRole('button', { name: '接受' }).click();
  await expect(a.locator('#my-businesses')).toContainText('上海普陀浏览器测试有限公司');
  await agent.close();

  await page.reload();
  await expect(page.locator('#agents')).toContainText('3405**********001X');
  await expect(page.locator('#agent-invitations')).toContainText('已接受');
  await biz.close();
});

test('a resident deletes their account from my info', async ({ page }) => {
  const id = newResidentId();
  await page.goto('/register');
  await page.getByLabel('姓名').fill('孙七');
  await page.getByLabel('身份证号码').fill(id);
  await page.getByLabel('手机号码').fill('13866667777');
  await page.getByLabel('密码', { exact: true }).fill('我要试一试注销账户');
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page).toHaveURL(/\/me$/);
  // Before confirming, the page says what goes and what the law keeps (shared::privacy, the one list).
  await expect(page.locator('.data-fates')).toContainText('上传的材料');
  await expect(page.locator('.data-fates')).toContainText('依法保留');
  await expect(page.locator('.data-fates')).toContainText('办件');
  await page.getByLabel('确认密码').fill('not my password');
  await page.getByRole('button', { name: '注销账户' }).click();
  await expect(page.locator('#delete-password-error')).toContainText('证件号码或密码不正确');
  await page.getByLabel('确认密码').fill('我要试一试注销账户');
  await page.getByRole('button', { name: '注销账户' }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/me');
  await expect(page.getByRole('link', { name: '登录' }).first()).toBeVisible();
});
