import { chromium } from 'playwright-core';
const base = process.env.BASE, out = process.env.OUT;
const admin = { login: process.env.ADMIN_LOGIN, password: process.env.ADMIN_PASSWORD };
const researcher = { login: process.env.R_LOGIN, password: process.env.R_PASSWORD };
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const errors = [];
async function as(who, viewport) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  if (who) {
    await page.goto(base + '/login');
    await page.fill('input[name=login]', who.login);
    await page.fill('input[name=password]', who.password);
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/login"] button[type=submit]')]);
  }
  return page;
}
async function shot(page, path, name) {
  await page.goto(base + path);
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
}
const wide = { width: 1280, height: 900 }, narrow = { width: 390, height: 844 };
const anon = await as(null, wide);
await shot(anon, '/open-data', 'open-data-1280');
const anonNarrow = await as(null, narrow);
await shot(anonNarrow, '/open-data', 'open-data-390');
const a = await as(admin, wide);
await shot(a, '/campaigns/new', 'campaign-new');
// Open a campaign through the form.
await a.fill('input[name=title]', '2027 年花牛苹果产业链科技成果征集');
await a.fill('textarea[name=description]', '征集苹果采后处理、贮藏保鲜、精深加工相关科技成果。\n联系人：区科技局成果科');
await a.check('input[name=technical_fields][value=agriculture]');
await a.fill('input[name=deadline]', process.env.DEADLINE);
await Promise.all([a.waitForLoadState('load'), a.click('form[action="/campaigns"] button[type=submit]')]);
const campaign = a.url();
await a.screenshot({ path: `${out}/campaign-admin.png`, fullPage: true });
const r = await as(researcher, wide);
await shot(r, new URL(campaign).pathname, 'campaign-researcher');
await r.check('input[name=listing_ids] >> nth=0');
await Promise.all([r.waitForLoadState('load'), r.click('form[action$="/entries"] button[type=submit]')]);
await r.screenshot({ path: `${out}/campaign-entered.png`, fullPage: true });
await shot(r, '/imports?campaign=' + new URL(campaign).pathname.split('/').pop(), 'imports-campaign');
await shot(r, '/search?q=%E8%8B%B9%E6%9E%9C', 'search-save');
await Promise.all([r.waitForLoadState('load'), r.click('form[action="/saved-searches"] button[type=submit]')]);
await r.screenshot({ path: `${out}/saved-searches.png`, fullPage: true });
await shot(a, new URL(campaign).pathname + '/progress', 'campaign-progress');
const rn = await as(researcher, narrow);
await shot(rn, new URL(campaign).pathname, 'campaign-390');
await shot(rn, '/saved-searches', 'saved-searches-390');
await shot(a, '/campaigns', 'campaigns');
console.log('errors:', JSON.stringify(errors));
await browser.close();
