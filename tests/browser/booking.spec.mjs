// Booking on a phone: pick a center, a day and a time, confirm, see the code; cancel from my bookings.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { newResidentId } from './ids.mjs';

test('a resident books a slot for the social security card and cancels it', async ({ page }) => {
  await page.goto('/register');
  await page.getByLabel('姓名').fill('周八');
  await page.getByLabel('身份证号码').fill(newResidentId());
  await page.getByLabel('手机号码').fill('13877778888');
  await page.getByLabel('密码', { exact: true }).fill('我想预约社保卡办理');
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page).toHaveURL(/\/me$/);

  await page.goto('/items/rsj-social-security-card');
  await page.getByRole('link', { name: '预约办理' }).click();
  await expect(page).toHaveURL(/\/book\/rsj-social-security-card$/);
  await page.getByRole('button', { name: '万里街道社区事务受理服务中心' }).click();
  await expect(page.getByRole('button', { name: '万里街道社区事务受理服务中心' })).toHaveAttribute('aria-pressed', 'true');
  const day = page.locator('#days button:not([disabled])').first();
  const dayLabel = (await day.textContent()).split(' ')[0];
  await day.click();
  const slot = page.locator('#slots button:not([disabled])').first();
  const time = (await slot.textContent()).split(' ')[0];
  await slot.click();
  await expect(slot).toHaveAttribute('aria-pressed', 'true');
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  expect(axe.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id)).toEqual([]);
  // The seat is held while the resident checks the details, then confirmed; a double click on either
  // step books once (one idempotency key; confirming twice answers with the same booking).
  await page.getByRole('button', { name: '预约此时段' }).dblclick();
  await expect(page.getByRole('heading', { name: '请确认预约' })).toBeVisible();
  await expect(page.locator('#held-until')).toContainText(/保留至 \d{2}:\d{2}/);
  await page.getByRole('button', { name: '确认预约' }).dblclick();
  await expect(page.getByRole('heading', { name: '预约成功' })).toBeVisible();
  // The QR code of the booking code is drawn by the edge and shown as an image.
  const qr = page.getByRole('img', { name: '预约码二维码' });
  await expect(qr).toBeVisible();
  await expect.poll(() => qr.evaluate(img => img.complete ? img.naturalWidth : 0)).toBeGreaterThan(0);
  await expect(page.locator('#booking-code')).toHaveText(/^[0-9A-HJKMNP-TV-Z]{8}$/);
  const code = await page.locator('#booking-code').textContent();

  // The header's inbox count shows the confirmation at once; the message opens my bookings and is
  // marked read on the way.
  await expect(page.locator('#unread-count')).toHaveText('1');
  await page.locator('#inbox-link').click();
  await expect(page).toHaveURL(/\/inbox$/);
  // Push preferences: a kind switched off stays off.
  await page.getByText('推送设置').click();
  await page.getByLabel('前面还有 3 人').uncheck();
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('已保存')).toBeVisible();
  const axeInbox = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  expect(axeInbox.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id)).toEqual([]);
  await page.reload();
  await page.getByText('推送设置').click();
  await expect(page.getByLabel('前面还有 3 人')).not.toBeChecked();
  await expect(page.getByLabel('轮到您了')).toBeChecked();
  await page.getByRole('link', { name: '预约成功' }).click();
  await expect(page).toHaveURL(/\/bookings$/);
  await expect(page.locator('#unread-count')).toHaveCount(0);
  const cards = page.locator('#bookings .booking');
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText(code);
  await expect(cards.first()).toContainText(`${dayLabel} ${time}`);
  await expect(cards.first()).toContainText('已预约');
  // Until when it may be cancelled or moved: the center's rule (2 hours before here), said by the core.
  await expect(cards.first()).toContainText(/可取消或改约至 \d{2}-\d{2} \d{2}:\d{2}/);
  await cards.first().getByRole('button', { name: '取消预约' }).click();
  await expect(cards.first()).toContainText('已取消');
  await expect(cards.first().getByRole('button', { name: '取消预约' })).toHaveCount(0);
  await expect(cards.first()).not.toContainText('可取消或改约至');
});
