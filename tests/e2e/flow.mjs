// The whole platform as its people use it, in headless Chromium under the site's own CSP:
// register → approval → an achievement listed, reviewed and found by search → an enterprise's
// demand published as a 揭榜挂帅 challenge → a team applies and is selected → a broker claims the
// enterprise's 发起对接 lead, both sides accept, the deal reaches 达成意向 → the contract drafted
// from the deal is submitted and registered (with a 联席预谈判 meeting on the way, its invitation
// opened from the inbox, and a 成果对接沙龙 the enterprise signs up for) → the deal shows 已签约登记 and the public /stats
// figure moves by exactly the contract's amount.
// Run at 1280 px and at 390 px; a screenshot per step in $E2E_OUT; console errors, failed
// requests and broken same-site links fail the run.
import { chromium } from 'playwright-core';

const base = process.env.E2E_BASE;
const out = process.env.E2E_OUT;
const admin = { login: process.env.E2E_ADMIN_LOGIN, password: process.env.E2E_ADMIN_PASSWORD };
const password = '麦积山石窟花牛苹果2025';
const problems = [];
const links = new Set();
let steps = 0;

function fail(message) {
  throw new Error(message);
}

/** A browser context for one person, watched for console errors and failed requests. */
async function person(browser, viewport, who) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${who}: console error: ${msg.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`${who}: page error: ${error.message}`));
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.origin === base && response.status() >= 500) problems.push(`${who}: ${response.status()} ${url.pathname}`);
  });
  return { context, page, who };
}

async function shot(p, viewportName, name) {
  steps += 1;
  const file = `${out}/${viewportName}-${String(steps).padStart(2, '0')}-${name}.png`;
  await p.page.screenshot({ path: file, fullPage: true });
  // In-page anchors (跳到正文) point at the page itself, which may be a POST's answer.
  const hrefs = await p.page.$$eval('a[href]:not([href^="#"])', (as) => as.map((a) => a.href));
  for (const href of hrefs) {
    const url = new URL(href, base);
    if (url.origin === base) links.add(url.pathname + url.search);
  }
}

async function visit(p, path) {
  const response = await p.page.goto(base + path);
  if (!response || response.status() >= 400) fail(`${p.who}: GET ${path} answered ${response && response.status()}`);
}

async function submit(p, fieldInForm) {
  await Promise.all([
    p.page.waitForLoadState('load'),
    p.page.locator(`form:has(${fieldInForm}) button[type=submit]`).first().click(),
  ]);
  await p.page.waitForLoadState('load');
}

async function click(p, selector) {
  await Promise.all([p.page.waitForNavigation(), p.page.locator(selector).first().click()]);
}

async function signIn(p, login, pass) {
  await visit(p, '/login');
  await p.page.fill('[name=login]', login);
  await p.page.fill('[name=password]', pass);
  await submit(p, '[name=password]');
  if (new URL(p.page.url()).pathname === '/login') fail(`${p.who}: sign-in failed`);
}

async function register(p, role, org, nature, login) {
  await visit(p, '/register');
  await p.page.fill('[name=display_name]', `${org}联系人`);
  await p.page.fill('[name=login]', login);
  await p.page.fill('[name=password]', password);
  await p.page.fill('[name=password_confirm]', password);
  await p.page.check(`input[name=role][value=${role}]`);
  await p.page.check('input[name=org_mode][value=new]');
  await p.page.fill('[name=org_name]', org);
  await p.page.selectOption('select[name=org_nature]', nature);
  if (role === 'enterprise') await p.page.fill('[name=org_credit_code]', creditCode(login));
  const region = p.page.locator('[name=org_region_code]');
  if ((await region.evaluate((el) => el.tagName)) === 'SELECT') await region.selectOption('620503');
  else await region.fill('620503');
  await submit(p, '[name=password_confirm]');
  const text = await p.page.textContent('body');
  if (!text.includes('审核')) fail(`${p.who}: registration did not say it awaits approval`);
}

/** A 17-character 统一社会信用代码 body completed with its GB 32100-2015 check character. */
function withCheck(body) {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...body].reduce((acc, ch, i) => acc + alphabet.indexOf(ch) * weights[i], 0);
  return body + alphabet[(31 - (sum % 31)) % 31];
}

/** An enterprise's code from a phone number's digits. */
function creditCode(digits) {
  return withCheck(`91620503${digits.slice(-9)}`);
}

async function approveAccount(adminP, orgName) {
  await visit(adminP, '/admin/users?status=pending');
  const row = adminP.page.locator('tr', { hasText: orgName });
  await Promise.all([adminP.page.waitForNavigation(), row.locator('button[type=submit]', { hasText: '审核通过' }).click()]);
}

function yuan(text) {
  const t = text.replace(/[,\s¥￥]/g, '');
  const m = t.match(/(-?[0-9.]+)(亿元|万元|元)?/);
  if (!m) return NaN;
  const scale = { 亿元: 1e8, 万元: 1e4 }[m[2]] || 1;
  return Math.round(Number(m[1]) * scale * 100);
}

async function registeredSoFar(p) {
  await visit(p, '/stats');
  return yuan(await p.page.locator('.stat-card .stat-value').first().textContent());
}

function today(offset = 0) {
  const d = new Date(Date.now() + 8 * 3600e3 + offset * 86400e3);
  return d.toISOString().slice(0, 10);
}

async function flow(browser, viewport, name, n) {
  const stamp = `${name}${Date.now() % 100000}`;
  const researcherLogin = `135${String(Date.now()).slice(-7)}${n}`;
  const enterpriseLogin = `136${String(Date.now()).slice(-7)}${n}`;
  const admin_ = await person(browser, viewport, `${name}/admin`);
  const researcher = await person(browser, viewport, `${name}/researcher`);
  const enterprise = await person(browser, viewport, `${name}/enterprise`);
  const visitor = await person(browser, viewport, `${name}/visitor`);
  const researchOrg = `天水农业研究所${stamp}`;
  const companyOrg = `天水铸造有限公司${stamp}`;

  // 1. A researcher registers; the administrator approves.
  await register(researcher, 'researcher', researchOrg, 'public_research', researcherLogin);
  await shot(researcher, name, 'registered-pending');
  await signIn(admin_, admin.login, admin.password);
  await approveAccount(admin_, researchOrg);
  await shot(admin_, name, 'account-approved');

  // 2. The researcher lists an achievement and submits it for review.
  await signIn(researcher, researcherLogin, password);
  await visit(researcher, '/achievements/new');
  const title = `花牛苹果近红外无损分级技术${stamp}`;
  await researcher.page.fill('[name=title]', title);
  await researcher.page.fill('[name=summary]', '基于近红外光谱的苹果糖度与霉心病无损检测，分级线速度每小时八吨，优果率提升百分之十五。');
  await researcher.page.fill('[name=keywords]', '苹果，无损检测，分级');
  await researcher.page.fill('[name=problem]', '花牛苹果采后分级依赖人工，霉心病果混入优果，损耗大、效率低。');
  await researcher.page.fill('[name=advantages]', '检测速度快，设备投入低于进口分选线的一半，可在产地冷库部署。');
  await researcher.page.selectOption('select[name=achievement_type]', 'applied');
  await researcher.page.selectOption('select[name=technical_field]', 'agriculture');
  await researcher.page.selectOption('select[name=industry_section]', 'A');
  await researcher.page.selectOption('select[name=trl]', '7');
  await researcher.page.selectOption('select[name=stage]', 'pilot');
  await researcher.page.check('input[name=ip_carriers][value=trade_secret]');
  await researcher.page.check('input[name=transfer_modes][value=license_general]');
  await researcher.page.selectOption('select[name=pricing_route]', 'negotiated');
  await researcher.page.fill('[name=asking_price]', '80');
  await researcher.page.fill('[name=contact_name]', '赵老师');
  await researcher.page.fill('[name=contact_phone]', '13993812345');
  await researcher.page.fill('[name=region_code]', '620503');
  await submit(researcher, '[name=summary]');
  if (!/\/achievements\/[0-9a-f-]{36}$/.test(researcher.page.url())) {
    const errors = await researcher.page.locator('.field-error').allTextContents();
    fail(`achievement not saved: ${errors.join('；')}`);
  }
  const achievementUrl = new URL(researcher.page.url()).pathname;
  await click(researcher, 'form[action$="/actions/submit"] button');
  await shot(researcher, name, 'achievement-submitted');

  // 3. The administrator approves it from the review queue; the public finds it by search.
  await visit(admin_, '/achievements/review');
  await shot(admin_, name, 'review-queue');
  await click(admin_, `tr:has-text("${title}") form[action$="/actions/approve"] button`);
  let found = false;
  for (let i = 0; i < 50 && !found; i += 1) {
    await visit(visitor, `/search?q=${encodeURIComponent(`花牛苹果近红外无损分级技术${stamp}`)}`);
    found = (await visitor.page.textContent('main')).includes(title);
    if (!found) await visitor.page.waitForTimeout(100);
  }
  if (!found) fail('search did not find the approved achievement');
  await shot(visitor, name, 'search-finds-it');
  await visit(visitor, achievementUrl);

  // 4. An enterprise registers, is approved, posts a demand; it is approved and made a challenge.
  await register(enterprise, 'enterprise', companyOrg, 'enterprise_private', enterpriseLogin);
  await approveAccount(admin_, companyOrg);
  await signIn(enterprise, enterpriseLogin, password);

  // 4a. 发起对接 reaches the achievement's owner, who answers; the enterprise sees the answer.
  const ask = `想在三条分选线上试用该技术${stamp}`;
  await visit(enterprise, achievementUrl);
  await enterprise.page.fill('form[action$="/contact"] [name=message]', ask);
  await submit(enterprise, '[name=message]');
  await visit(researcher, achievementUrl);
  if (!(await researcher.page.textContent('#contacts')).includes(ask)) fail('the owner does not see the request');
  const answer = `欢迎来所里看样机${stamp}`;
  await researcher.page.fill('#contacts textarea[name=reply]', answer);
  await Promise.all([researcher.page.waitForNavigation(), researcher.page.click('#contacts button[value=answer]')]);
  await shot(researcher, name, 'contact-answered');
  await visit(enterprise, '/contacts');
  if (!(await enterprise.page.textContent('main')).includes(answer)) fail('the sender does not see the answer');
  await shot(enterprise, name, 'contact-answer-seen');

  await visit(enterprise, '/demands/new');
  const demandTitle = `机床床身铸件内部缺陷快速检测${stamp}`;
  await enterprise.page.fill('[name=title]', demandTitle);
  await enterprise.page.fill('[name=description]', '床身铸件需要在粗加工前发现内部缩孔和夹渣，现有抽检周期长、成本高，希望找到快速可靠的检测方案。');
  await enterprise.page.fill('[name=indicators]', '检测深度：≥300 mm\n缺陷检出尺寸：≤2 mm');
  await enterprise.page.fill('[name=keywords]', '铸件，无损检测');
  await enterprise.page.selectOption('select[name=technical_field]', 'advanced_manufacturing');
  await enterprise.page.selectOption('select[name=industry_section]', 'C');
  await enterprise.page.check('input[name=cooperation_modes][value=commissioned]');
  await enterprise.page.fill('[name=budget_min]', '30');
  await enterprise.page.fill('[name=budget_max]', '80');
  await enterprise.page.fill('[name=valid_until]', today(200));
  await enterprise.page.fill('[name=contact_name]', '钱工');
  await enterprise.page.fill('[name=contact_phone]', '13893812345');
  await enterprise.page.fill('[name=region_code]', '620503');
  await submit(enterprise, '[name=indicators]');
  if (!/\/demands\/[0-9a-f-]{36}$/.test(enterprise.page.url())) {
    const errors = await enterprise.page.locator('.field-error').allTextContents();
    fail(`demand not saved: ${errors.join('；')}`);
  }
  const demandUrl = new URL(enterprise.page.url()).pathname;
  await click(enterprise, 'form[action$="/actions/submit"] button');
  await visit(admin_, demandUrl);
  await click(admin_, 'form[action$="/actions/approve"] button');
  await visit(enterprise, demandUrl);
  await enterprise.page.fill('[name=reward]', '50');
  await enterprise.page.fill('[name=apply_from]', today(0));
  await enterprise.page.fill('[name=apply_until]', today(30));
  await submit(enterprise, '[name=reward]');
  await shot(enterprise, name, 'challenge-published');

  // 5. The researcher applies; the enterprise selects them.
  await visit(researcher, demandUrl);
  await researcher.page.fill('[name=team]', '天水农业研究所无损检测课题组，五名研究人员。');
  await researcher.page.fill('[name=proposal]', '采用相控阵超声配合机器视觉定位，对床身关键截面逐层扫描，十分钟内给出缺陷分布图。');
  await researcher.page.fill('[name=expected_results]', '检测装置一套与检测规程一份。');
  await submit(researcher, '[name=proposal]');
  await shot(researcher, name, 'applied');
  await visit(enterprise, demandUrl);
  await click(enterprise, 'form[action$="/select"] button');
  await shot(enterprise, name, 'selected');

  // 6. A broker registers and is approved, claims the enterprise's 发起对接 lead from the
  // workspace, both sides accept, and the deal moves to 达成意向 with the agreed amount.
  const broker = await person(browser, viewport, `${name}/broker`);
  const brokerLogin = `138${String(Date.now()).slice(-7)}${n}`;
  const brokerOrg = `陇原技术转移中心${stamp}`;
  await register(broker, 'broker', brokerOrg, 'enterprise_private', brokerLogin);
  await approveAccount(admin_, brokerOrg);
  await signIn(broker, brokerLogin, password);
  if (new URL(broker.page.url()).pathname !== '/broker') fail('a broker does not land on the workspace');
  await shot(broker, name, 'broker-workspace');
  await click(broker, `tr:has-text("${title}") form[action$="/claim"] button`);
  if (!/\/deals\/[0-9a-f-]{36}$/.test(broker.page.url())) fail('claiming the lead did not open a deal');
  const dealUrl = new URL(broker.page.url()).pathname;
  for (const party of [researcher, enterprise]) {
    await visit(party, dealUrl);
    await click(party, 'form[action$="/answer"] button[value=accept]');
  }
  await visit(broker, dealUrl);
  await click(broker, 'form[action$="/steps/contact"] button');
  await broker.page.fill('form.note-form [name=body]', `内部：买方预算充足${stamp}`);
  await broker.page.check('form.note-form input[name=visibility][value=private]');
  await submit(broker, 'textarea[name=body]');
  await click(broker, 'form[action$="/steps/negotiate"] button');
  // A 联席预谈判 meeting: the broker invites both sides and the bureau; the enterprise finds the
  // invitation in its inbox (the header counts it), opens it, and the .ics is beside the meeting.
  await visit(broker, `${dealUrl}/meetings/new`);
  await broker.page.fill('[name=starts_at]', `${today(2)}T09:30`);
  await broker.page.fill('[name=ends_at]', `${today(2)}T11:00`);
  await broker.page.fill('[name=place]', '麦积区科技局三楼会议室');
  await broker.page.fill('[name=agenda]', '1. 技术方案；2. 价格与付款方式');
  for (const box of await broker.page.locator('input[name=participant_ids]').all()) await box.check();
  await shot(broker, name, 'meeting-form');
  await submit(broker, '[name=agenda]');
  if (!/\/meetings\/[0-9a-f-]{36}$/.test(broker.page.url())) {
    const errors = await broker.page.locator('.field-error').allTextContents();
    fail(`scheduling the meeting failed: ${errors.join('；')}`);
  }
  const meetingUrl = new URL(broker.page.url()).pathname;
  await shot(broker, name, 'meeting');
  await visit(enterprise, '/inbox');
  if ((await enterprise.page.locator('header .badge-unread').count()) === 0) fail('the header does not count unread messages');
  if (!(await enterprise.page.textContent('main')).includes('联席预谈判')) fail('the meeting invitation is not in the inbox');
  await shot(enterprise, name, 'inbox');
  await click(enterprise, `li:has-text("联席预谈判") form[action$="/open"] button`);
  if (new URL(enterprise.page.url()).pathname !== meetingUrl) fail('opening the invitation did not lead to the meeting');
  const ics = await enterprise.page.request.get(`${base}${meetingUrl}/calendar.ics`);
  if (ics.status() !== 200 || !(await ics.text()).includes('DTSTART:')) fail('the meeting .ics is missing');
  await visit(broker, dealUrl);
  await broker.page.fill('form[action$="/steps/agree"] [name=amount_wan]', '66.5');
  await click(broker, 'form[action$="/steps/agree"] button');
  await shot(broker, name, 'deal-agreed');
  await visit(enterprise, dealUrl);
  if ((await enterprise.page.textContent('main')).includes(`内部：买方预算充足${stamp}`)) fail('a party sees a private note');

  // A 成果对接沙龙: the administrator organises one, the enterprise signs up.
  await visit(admin_, '/salons/new');
  const theme = `铸造产业技术成果对接沙龙${stamp}`;
  await admin_.page.fill('[name=theme]', theme);
  await admin_.page.fill('[name=starts_at]', `${today(7)}T14:00`);
  await admin_.page.fill('[name=ends_at]', `${today(7)}T17:00`);
  await admin_.page.fill('[name=venue]', '麦积区科技局报告厅');
  await submit(admin_, '[name=theme]');
  if (!/\/salons\/[0-9a-f-]{36}$/.test(admin_.page.url())) {
    const errors = await admin_.page.locator('.field-error').allTextContents();
    fail(`organising the salon failed: ${errors.join('；')}`);
  }
  const salonUrl = new URL(admin_.page.url()).pathname;
  await visit(enterprise, '/salons');
  await click(enterprise, `a:has-text("${theme}")`);
  await click(enterprise, 'form[action$="/signup"] button');
  if (!(await enterprise.page.textContent('main')).includes('您已报名')) fail('signing up for the salon failed');
  await shot(enterprise, name, 'salon-signed-up');
  await visit(admin_, salonUrl);
  if (!(await admin_.page.textContent('main')).includes('报名名单')) fail('the organiser sees no list');

  // 7. The contract drafted from the deal (parties, amount, broker filled in), submitted by the
  // broker and registered by the administrator; the deal moves to 已签约登记.
  const before = await registeredSoFar(visitor);
  await click(broker, 'a[href^="/contracts/new?deal="]');
  if ((await broker.page.inputValue('[name=total]')) !== '66.5') fail('the agreed amount was not carried into the contract');
  await broker.page.selectOption('select[name=contract_type]', 'development');
  await broker.page.selectOption('select[name=subtype]', 'commissioned_development');
  await broker.page.fill('[name=title]', `铸件缺陷快速检测装置委托开发合同${stamp}`);
  await broker.page.fill('[name=subject]', '委托开发铸件内部缺陷相控阵超声快速检测装置一套，含检测规程与操作培训，检测深度不低于三百毫米。');
  await broker.page.fill('[name=seller_credit_code]', withCheck('12620503MB0000001'));
  await broker.page.fill('[name=signed_on]', today(0));
  await broker.page.selectOption('select[name=payment_mode]', 'lump_sum');
  await broker.page.check('input[name=signed_by_parties]');
  await shot(broker, name, 'contract-from-deal');
  await submit(broker, '[name=subject]');
  if (!/\/contracts\/[0-9a-f-]{36}$/.test(broker.page.url())) {
    const errors = await broker.page.locator('.field-error').allTextContents();
    fail(`contract not saved: ${errors.join('；')}`);
  }
  const contractUrl = new URL(broker.page.url()).pathname;
  await click(broker, 'form[action$="/submit"] button');
  await shot(broker, name, 'contract-submitted');
  await visit(admin_, contractUrl);
  await admin_.page.fill('[name=registration_no]', `2026620503${stamp}`.slice(0, 30));
  await submit(admin_, '[name=registration_no]');
  await shot(admin_, name, 'contract-registered');
  await visit(researcher, dealUrl);
  if (!(await researcher.page.textContent('main')).includes('已签约登记')) fail('registration did not move the deal');
  await shot(researcher, name, 'deal-contracted');

  // 8. The public figure moved by exactly the amount.
  const after = await registeredSoFar(visitor);
  await shot(visitor, name, 'stats');
  if (after - before !== 66_5000_00) fail(`/stats moved by ${after - before} fen, expected 66500000`);

  // 9. The year switch on /stats works under the site's CSP (a plain form, no inline handler).
  await visit(visitor, '/stats');
  const years = await visitor.page.$$eval('select[name=year] option', (os) => os.map((o) => o.value));
  const otherYear = years[years.length - 1];
  await visitor.page.selectOption('select[name=year]', otherYear);
  await click(visitor, 'form[action="/stats"] button[type=submit]');
  if (!visitor.page.url().includes(`year=${otherYear}`)) fail(`the year switch did not load ${otherYear}`);

  // 10. A colleague registers into the researcher's organisation by picking it from the list,
  // leaving the radio on 登记新单位; the administrator approves.
  const colleague = await person(browser, viewport, `${name}/colleague`);
  const colleagueLogin = `137${String(Date.now()).slice(-7)}${n}`;
  await visit(colleague, '/register');
  await colleague.page.fill('[name=display_name]', '孙研究员');
  await colleague.page.fill('[name=login]', colleagueLogin);
  await colleague.page.fill('[name=password]', password);
  await colleague.page.fill('[name=password_confirm]', password);
  await colleague.page.check('input[name=role][value=researcher]');
  const orgOption = colleague.page.locator('select[name=organisation_id] option', { hasText: researchOrg });
  await colleague.page.selectOption('select[name=organisation_id]', await orgOption.getAttribute('value'));
  await submit(colleague, '[name=password_confirm]');
  if (!(await colleague.page.textContent('body')).includes('审核')) {
    const errors = await colleague.page.locator('.field-error').allTextContents();
    fail(`registration into an existing organisation failed: ${errors.join('；')}`);
  }
  await shot(colleague, name, 'registered-existing-org');
  await approveAccount(admin_, researchOrg);

  // 11. The administrator hands the colleague a one-time reset link; it sets a new password.
  await visit(admin_, `/admin/users?q=${encodeURIComponent(colleagueLogin)}`);
  await click(admin_, 'a:has-text("详情")');
  await click(admin_, 'form[action$="/reset-link"] button');
  const link = (await admin_.page.textContent('code.token-value')).trim();
  await shot(admin_, name, 'reset-link');
  const newPassword = '伏羲庙前的新密码2026';
  await colleague.page.goto(link);
  await colleague.page.fill('[name=new_password]', newPassword);
  await colleague.page.fill('[name=new_password_confirm]', newPassword);
  await submit(colleague, '[name=new_password_confirm]');
  await signIn(colleague, colleagueLogin, newPassword);

  // 12. The session ends while a long form is filled (signed out from another window): the
  // colleague is told, signs in again and gets the form back with what was typed.
  await visit(colleague, '/achievements/new');
  const draftTitle = `苹果霉心病在线检测${stamp}`;
  await colleague.page.fill('[name=title]', draftTitle);
  const elsewhere = await person(browser, viewport, `${name}/elsewhere`);
  await elsewhere.context.addCookies(await colleague.context.cookies());
  await visit(elsewhere, '/account');
  await Promise.all([
    elsewhere.page.waitForNavigation(),
    elsewhere.page.evaluate(() => document.querySelector('form[action="/logout"]').submit()),
  ]);
  await submit(colleague, '[name=summary]');
  if (!(await colleague.page.textContent('main')).includes('登录已超时')) fail('the timed-out form was not explained');
  await shot(colleague, name, 'session-ended');
  await colleague.page.fill('[name=login]', colleagueLogin);
  await colleague.page.fill('[name=password]', newPassword);
  await submit(colleague, '[name=password]');
  if ((await colleague.page.inputValue('[name=title]')) !== draftTitle) fail('the typed title was not restored');
  await shot(colleague, name, 'form-restored');

  // 13. 网络竞价 live: the administrator puts the researcher's achievement up for auction and
  // qualifies the enterprise; a visitor watches the auction page while the enterprise bids the
  // minimum; the visitor's page shows the new price without a reload (the event stream, under
  // the site's own CSP).
  const beijing = (ms) => new Date(Date.now() + ms + 8 * 3600e3).toISOString().slice(0, 16);
  await visit(admin_, `/auctions/new?achievement=${achievementUrl.split('/').pop()}`);
  await admin_.page.fill('[name=opening_price]', '10');
  await admin_.page.fill('[name=increment]', '1');
  await admin_.page.fill('[name=starts_at]', beijing(0));
  await admin_.page.fill('[name=ends_at]', beijing(2 * 3600e3));
  await submit(admin_, '[name=opening_price]');
  if (!/\/auctions\/[0-9a-f-]{36}$/.test(admin_.page.url())) {
    const errors = await admin_.page.locator('.field-error').allTextContents();
    fail(`auction not created: ${errors.join('；')}`);
  }
  const auctionPath = new URL(admin_.page.url()).pathname;
  await visit(visitor, '/auctions');
  await shot(visitor, name, 'auctions');
  await visit(admin_, auctionPath);
  const companyOption = admin_.page.locator('select[name=organisation_id] option', { hasText: companyOrg });
  await admin_.page.selectOption('select[name=organisation_id]', await companyOption.getAttribute('value'));
  await submit(admin_, 'select[name=organisation_id]');
  if (!(await admin_.page.textContent('main')).includes('已开通竞买资格')) fail('the enterprise was not qualified');
  await visit(visitor, auctionPath);
  const priceBefore = (await visitor.page.textContent('#current-price')).trim();
  await visit(enterprise, auctionPath);
  const minimum = await enterprise.page.inputValue('#bid-amount');
  await shot(enterprise, name, 'auction-bid-form');
  await submit(enterprise, '#bid-amount');
  if (!(await enterprise.page.textContent('main')).includes('出价成功')) fail('the bid was not accepted');
  await shot(enterprise, name, 'auction-bid-accepted');
  await visitor.page.waitForFunction(
    (old) => document.querySelector('#current-price').textContent.trim() !== old,
    priceBefore,
    { timeout: 5000 },
  ).catch(() => fail(`the watching page did not update live (price stayed ${priceBefore}, bid ${minimum}万元)`));
  await shot(visitor, name, 'auction-live-update');

  for (const p of [admin_, researcher, enterprise, broker, visitor, colleague, elsewhere]) await p.context.close();
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  let n = 0;
  for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
    n += 1;
    await flow(browser, viewport, name, n);
  }
  const checker = await browser.newContext();
  for (const link of links) {
    const response = await checker.request.get(base + link, { maxRedirects: 0 });
    if (response.status() >= 400 && response.status() !== 401) problems.push(`broken link ${link}: ${response.status()}`);
  }
  await checker.close();
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`端到端：${steps} 个截图步骤（1280 px 与 390 px 各一遍），检查站内链接 ${links.size} 个，控制台错误 0，失效链接 0`);
