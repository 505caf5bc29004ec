// tongban's service worker — the one hand-written script. It shows Web Push notifications (the
// browser has already decrypted the payload: {title, body, url, kind}, shared::notify::PushPayload)
// and opens the page a notification is about when it is clicked. Nothing is cached here.
'use strict';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let p = {};
  try {
    p = event.data ? event.data.json() : {};
  } catch (_) {
    p = {};
  }
  const turn = p.kind === 'your_turn';
  event.waitUntil(
    self.registration.showNotification(p.title || '通办', {
      body: p.body || '',
      tag: `${p.kind || 'tongban'}:${p.url || ''}`,
      data: { url: p.url || '/inbox' },
      icon: '/favicon.svg',
      // "Your turn" must not slip by unnoticed.
      renotify: turn,
      requireInteraction: turn,
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || '/inbox', self.location.origin);
  if (url.origin !== self.location.origin) return;
  event.waitUntil(
    (async () => {
      const open = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const c of open) {
        if ('navigate' in c) {
          await c.navigate(url.href).catch(() => {});
          return c.focus();
        }
      }
      return self.clients.openWindow(url.href);
    })(),
  );
});
