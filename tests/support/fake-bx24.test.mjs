// Self-test of the BX24 fake: `node --test tests/support/`
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

globalThis.window = globalThis;
vm.runInThisContext(readFileSync(new URL('./fake-bx24.js', import.meta.url), 'utf8'), { filename: 'fake-bx24.js' });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const NEVER = Symbol('never');

function install(opts = {}) {
  const ctl = globalThis.__fakeBx24Install({ latencyMs: 1, placementLatencyMs: 1, ...opts });
  ctl.raised = [];
  ctl._raise = (e) => ctl.raised.push(e); // the browser would see an uncaught error
  return ctl;
}
// Resolves with the callback's first argument, or NEVER if it has not come within `ms`.
function cbOrNever(start, ms = 60) {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(NEVER), ms);
    start((v) => { clearTimeout(t); resolve(v); });
  });
}
const rest = (method, params, ms) => cbOrNever((cb) => BX24.callMethod(method, params, cb), ms);
const init = () => cbOrNever((cb) => BX24.init(() => cb(true)));

test('bootstrap: window.name, placement.info strings, getStatus real types, init is async', async () => {
  install();
  assert.equal(window.name, 'fake.bitrix24.test|1|fakeappsid');
  const info = BX24.placement.info();
  assert.equal(info.placement, 'CALL_CARD');
  assert.equal(info.options.CRM_ENTITY_ID, '797');
  assert.equal(info.options.CALL_LIST_MODE, 'false');
  assert.equal(info.options.CRM_ACTIVITY_ID, 'undefined');
  assert.deepEqual(info.options.CRM_BINDINGS[0], { ENTITY_TYPE: 'DEAL', ENTITY_ID: '4615' });
  let ran = false;
  BX24.init(() => { ran = true; });
  assert.equal(ran, false, 'init callback must be asynchronous');
  assert.equal(await init(), true);
  assert.equal(ran, true);
  const st = await cbOrNever((cb) => BX24.placement.call('getStatus', {}, cb));
  assert.equal(st.CRM_ENTITY_ID, 797);
  assert.equal(st.CALL_LIST_MODE, false);
  assert.equal(st.LINE_NAME, 'Berlin office');
  assert.equal(st.CALL_STATE, 'connecting');
  assert.equal(st.CRM_BINDINGS.length, 3);
  st.CRM_ENTITY_ID = 1; // a copy
  assert.equal(window.__fakeBx24.status.CRM_ENTITY_ID, 797);
  assert.equal(BX24.getAuth().access_token, 'FAKE-SECRET-TOKEN-123');
  assert.equal(BX24.getLang(), 'en');
  assert.equal(BX24.isAdmin(), true);
});

test('neverInit: init callbacks and REST calls wait; completeInit releases them', async () => {
  const ctl = install({ neverInit: true });
  assert.equal(BX24.getAuth(), false);
  assert.equal(await init(), NEVER);
  const p = rest('user.get', { ID: 5 }, 200);
  await sleep(20);
  ctl.completeInit();
  const r = await p;
  assert.notEqual(r, NEVER);
  assert.equal(r.data()[0].NAME, 'Maria');
});

test('placement.call: unknown command never answers, call(cmd, cb) form, neverAnswer, answerError, DEFAULT', async () => {
  const ctl = install();
  await init();
  assert.equal(await cbOrNever((cb) => BX24.placement.call('getStatusX', {}, cb)), NEVER);
  assert.deepEqual(await cbOrNever((cb) => BX24.placement.call('disableAutoClose', cb)), []);
  assert.deepEqual(await cbOrNever((cb) => BX24.placement.call('enableAutoClose', {}, cb)), []);
  assert.equal(await cbOrNever((cb) => BX24.placement.call('resizeWindow', {}, cb)), NEVER);
  ctl.neverAnswer('getStatus');
  assert.equal(await cbOrNever((cb) => BX24.placement.call('getStatus', {}, cb)), NEVER);
  ctl.answerError('getStatus');
  assert.deepEqual(await cbOrNever((cb) => BX24.placement.call('getStatus', {}, cb)),
    [{ result: 'error', errorCode: 'Call card is undefined' }]);
  ctl.errorAnswer('disableAutoClose', 'Something else');
  assert.deepEqual(await cbOrNever((cb) => BX24.placement.call('disableAutoClose', {}, cb)),
    [{ result: 'error', errorCode: 'Something else' }]);
  ctl.answerNormally('getStatus');
  assert.equal((await cbOrNever((cb) => BX24.placement.call('getStatus', cb))).CRM_ENTITY_ID, 797);
  assert.deepEqual(ctl.calls, ['getStatusX', 'disableAutoClose', 'enableAutoClose', 'resizeWindow', 'getStatus', 'getStatus', 'disableAutoClose', 'getStatus']);

  install({ placement: 'DEFAULT' });
  await init();
  assert.equal(BX24.placement.info().placement, 'DEFAULT');
  assert.equal(await cbOrNever((cb) => BX24.placement.call('getStatus', {}, cb)), NEVER);
});

test('events: only the first argument arrives, binding twice delivers twice, unknown events ignored', async () => {
  const ctl = install();
  await init();
  const got = [];
  BX24.placement.bindEvent('CallCard::CallStateChanged', (...a) => got.push(['A', ...a]));
  BX24.placement.bindEvent('CallCard::CallStateChanged', (...a) => got.push(['B', ...a]));
  BX24.placement.bindEvent('CallCard::Nope', () => got.push(['nope']));
  assert.equal(ctl.listenerCount('CallCard::Nope'), 0);
  assert.equal(await ctl.setCallState('idle', 486), 2);
  assert.deepEqual(got, [['A', 'idle'], ['B', 'idle']]);
  assert.equal(ctl.status.CALL_STATE, 'idle');
  assert.equal(await ctl.setCallState('idle'), 0, 'no event without a change');

  const ent = [];
  BX24.placement.bindEvent('CallCard::EntityChanged', (...a) => ent.push(a));
  await ctl.switchClient({ PHONE_NUMBER: '+4940987654', CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: '801' });
  assert.deepEqual(ent, [[{ PHONE_NUMBER: '+4940987654', CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 801 }]]);
  const st = await cbOrNever((cb) => BX24.placement.call('getStatus', cb));
  assert.equal(st.CRM_ENTITY_ID, 801);
  assert.deepEqual(st.CRM_BINDINGS, [{ ENTITY_TYPE: 'COMPANY', ENTITY_ID: 644 }]);
  await ctl.switchClient({ CRM_ENTITY_TYPE: '', CRM_ENTITY_ID: 0 });
  assert.equal(ent[1][0].PHONE_NUMBER, 'unknown');

  const two = install({ passSecondArg: true });
  await init();
  const g2 = [];
  BX24.placement.bindEvent('CallCard::CallStateChanged', (...a) => g2.push(a));
  await two.setCallState('idle', '480');
  assert.deepEqual(g2, [['idle', { failedCode: '480' }]]);
});

test('ajaxResult: data/error/more/total/next/time, 4xx error objects, unknown method', async () => {
  const ctl = install();
  await init();
  const r = await rest('crm.item.get', { entityTypeId: 3, id: 797 });
  assert.equal(r.status, 200);
  assert.equal(r.error(), undefined);
  const item = r.data().item;
  assert.equal(`${item.name} ${item.lastName}`, 'Klaus Weber');
  assert.equal(item.post, 'Head of Procurement');
  assert.deepEqual(item.fm[0], { id: 1201, typeId: 'PHONE', valueType: 'WORK', value: '+4930123456' });
  assert.equal(typeof r.time().duration, 'number');
  assert.equal(r.more(), false);
  assert.equal(r.next(), false);
  assert.equal(r.query.method, 'crm.item.get');

  const nf = await rest('crm.item.get', { entityTypeId: 3, id: 1 });
  assert.equal(nf.status, 400);
  assert.equal(nf.error().getError().error, 'NOT_FOUND');
  assert.equal(nf.error().getStatus(), 400);
  assert.equal(String(nf.error()), 'NOT_FOUND: Element not found (400)');
  assert.equal(nf.error_description(), 'Element not found');

  const um = await rest('no.such.method', {});
  assert.equal(um.error().ex.error, 'ERROR_METHOD_NOT_FOUND');
  assert.equal(um.status, 404);

  // paging: 120 extra contacts
  for (let i = 0; i < 120; i++) ctl.crm.contacts.push({ id: 5000 + i, name: 'N' + i, lastName: 'L', fm: [] });
  const p1 = await rest('crm.item.list', { entityTypeId: 3, select: ['id', 'name', 'fm'], filter: { '>id': 1000 } });
  assert.equal(p1.total(), 120);
  assert.equal(p1.more(), true);
  assert.equal(p1.data().items.length, 50);
  assert.deepEqual(Object.keys(p1.data().items[0]), ['id', 'name'], 'fm cannot be selected explicitly');
  const before = ctl.requests;
  const p2 = await cbOrNever((cb) => p1.next(cb));
  assert.equal(ctl.requests, before + 1);
  assert.equal(p2.data().items[0].id, 5050);
  assert.equal(p2.answer.next, 100);

  const byIds = await rest('crm.item.list', { entityTypeId: 2, filter: { '@id': [4615, 4616] }, select: ['id', 'title', 'stageId'] });
  assert.deepEqual(byIds.data().items.map((d) => d.title), ['Fleet renewal', 'Service contract']);
  const st = await rest('crm.status.list', { filter: { ENTITY_ID: 'DEAL_STAGE' } });
  assert.deepEqual(st.data().map((s) => s.STATUS_ID), ['NEW', 'PREPARATION', 'WON', 'LOSE']);
  const dup = await rest('crm.duplicate.findbycomm', { type: 'PHONE', values: ['+49 30 123456'] });
  assert.deepEqual(dup.data(), { CONTACT: [797] });
  const none = await rest('crm.duplicate.findbycomm', { type: 'PHONE', values: ['+1'] });
  assert.deepEqual(none.data(), []);
});

test('faults: 5xx throws asynchronously and never calls back; 4xx calls back; never-answer; sync throw; expired_token retry', async () => {
  const ctl = install();
  await init();
  ctl.failNext('user.get', { status: 503, error: 'QUERY_LIMIT_EXCEEDED' });
  assert.equal(await rest('user.get', { ID: 5 }), NEVER);
  assert.deepEqual(ctl.raised, ['Query error!']);
  assert.equal(ctl.queryErrors[0].error, 'QUERY_LIMIT_EXCEEDED');
  const ok = await rest('user.get', { ID: 5 });
  assert.equal(ok.data()[0].LAST_NAME, 'Lopez');

  ctl.failNext('user.get', { status: 429, error: 'OPERATION_TIME_LIMIT' });
  const e429 = await rest('user.get', { ID: 5 });
  assert.equal(e429.error().getStatus(), 429);
  assert.equal(e429.error().ex.error, 'OPERATION_TIME_LIMIT');

  ctl.neverAnswerMethod('app.info');
  assert.equal(await rest('app.info', {}), NEVER);
  ctl.throwOnCall('scope');
  assert.throws(() => BX24.callMethod('scope', {}, () => {}));

  ctl.failNext('user.current', { status: 401, error: 'expired_token' });
  const n = ctl.requests;
  const cur = await rest('user.current', {});
  assert.equal(cur.data().NAME, 'Daniel');
  assert.equal(ctl.requests, n + 2);
  assert.equal(ctl.authRefreshes, 1);
});

test('batch: one request, $result references, empty maps are [], per-key errors, halt, arrays', async () => {
  const ctl = install();
  await init();
  const n = ctl.requests;
  const raw = await rest('batch', {
    halt: 0,
    cmd: {
      contact: 'crm.item.get?entityTypeId=3&id=797',
      company: 'crm.item.get?entityTypeId=4&id=$result[contact][item][companyId]',
      deals: 'crm.item.list?entityTypeId=2&filter[@id][0]=4615&filter[@id][1]=4616&select[0]=id&select[1]=title',
    },
  });
  assert.equal(ctl.requests, n + 1);
  const d = raw.data();
  assert.equal(d.result.company.item.title, 'Weber Logistics GmbH');
  assert.deepEqual(d.result_error, []);
  assert.deepEqual(d.result_next, []);
  assert.deepEqual(d.result_total, { deals: 2 });
  assert.equal(typeof d.result_time.contact.duration, 'number');

  const withErr = (await rest('batch', { cmd: { a: 'crm.item.get?entityTypeId=3&id=1', b: 'user.get?ID=5', c: 'batch?cmd[x]=scope' } })).data();
  assert.deepEqual(withErr.result_error.a, { error: 'NOT_FOUND', error_description: 'Element not found' });
  assert.equal(withErr.result_error.c.error, 'ERROR_BATCH_METHOD_NOT_ALLOWED');
  assert.equal(withErr.result.b[0].ID, '5');

  const halted = (await rest('batch', { halt: 1, cmd: { a: 'nope.method', b: 'user.get?ID=5' } })).data();
  assert.deepEqual(halted.result, []);
  assert.equal(halted.result_error.a.error, 'ERROR_METHOD_NOT_FOUND');

  // callBatch, object form with references and encoded params
  const m = ctl.requests;
  const res = await cbOrNever((cb) => BX24.callBatch({
    contact: ['crm.item.get', { entityTypeId: 3, id: 797 }],
    company: { method: 'crm.item.get', params: { entityTypeId: 4, id: '$result[contact][item][companyId]' } },
    user: ['user.get', { ID: '$result[contact][item][assignedById]' }],
    missing: ['crm.item.get', { entityTypeId: 2, id: 99999 }],
  }, cb));
  assert.equal(ctl.requests, m + 1);
  assert.equal(res.company.data().item.title, 'Weber Logistics GmbH');
  assert.equal(res.user.data()[0].NAME, 'Maria');
  assert.equal(res.missing.error().ex.error, 'NOT_FOUND');
  assert.equal(res.user.total(), 1);
  assert.equal(res.contact.query.method, 'crm.item.get');

  // array form keeps array keys (the server answers JSON lists)
  const arr = await cbOrNever((cb) => BX24.callBatch([
    ['crm.status.list', { filter: { ENTITY_ID: 'DEAL_STAGE' } }],
    ['user.get', { ID: 5 }],
  ], cb));
  assert.ok(Array.isArray(arr));
  assert.equal(arr[0].data().length, 4);
  assert.equal(arr[1].data()[0].WORK_POSITION, 'Sales Manager');
  assert.deepEqual(ctl.log.slice(-2), ['batch', 'batch']);

  // a fault on a sub-method shows up as that key's error
  ctl.failNext('user.get', { status: 429, error: 'OPERATION_TIME_LIMIT' });
  const fb = await cbOrNever((cb) => BX24.callBatch({ u: ['user.get', { ID: 5 }], s: ['scope', {}] }, cb));
  assert.equal(fb.u.error().ex.error, 'OPERATION_TIME_LIMIT');
  assert.deepEqual(fb.s.error(), undefined);

  // a 5xx batch never calls back
  ctl.failNext('batch', { status: 503, error: 'QUERY_LIMIT_EXCEEDED' });
  assert.equal(await cbOrNever((cb) => BX24.callBatch({ u: ['user.get', { ID: 5 }] }, cb)), NEVER);
});

test('form encoding loses types like the real library', () => {
  const ctl = install();
  const qs = ctl._prepareData({ a: 1, b: true, c: null, d: [], e: { f: ['x', 'y z'] }, g: undefined });
  assert.equal(qs, 'a=1&b=true&e[f][0]=x&e[f][1]=y%20z&g=undefined');
  assert.deepEqual(ctl._parseQuery(qs), { a: '1', b: 'true', e: { f: ['x', 'y z'] }, g: 'undefined' });
});

test('misc surface: fitWindow, openPath, installFinish, userOption, placements, counters', async () => {
  const ctl = install({ isAdmin: false, lang: 'de', userOptions: { tab: 'deals' } });
  await init();
  assert.equal(BX24.isAdmin(), false);
  assert.equal(BX24.getLang(), 'de');
  assert.deepEqual(await cbOrNever((cb) => BX24.fitWindow(cb)), { width: '100%', height: 0 });
  assert.equal(ctl.fitWindowCalls, 1);
  BX24.openPath('/crm/deal/details/4615/');
  assert.deepEqual(ctl.openedPaths, ['/crm/deal/details/4615/']);
  BX24.installFinish();
  assert.equal(ctl.installFinished, true);
  assert.equal(BX24.userOption.get('tab'), 'deals');
  await cbOrNever((cb) => BX24.userOption.set('tab', 'activities', () => cb(1)));
  assert.equal(ctl.userOptions.tab, 'activities');
  const denied = await rest('placement.bind', { PLACEMENT: 'CALL_CARD', HANDLER: 'https://x.example/' });
  assert.equal(denied.error().ex.error, 'ACCESS_DENIED');

  const admin = install();
  await init();
  const b = await rest('placement.bind', { PLACEMENT: 'CALL_CARD', HANDLER: 'https://x.example/', TITLE: 'Profile' });
  assert.equal(b.data(), true);
  assert.equal((await rest('placement.get', {})).data()[0].title, 'Profile');
  assert.deepEqual((await rest('placement.unbind', { PLACEMENT: 'CALL_CARD' })).data(), { count: 1 });
  assert.deepEqual((await rest('placement.get', {})).data(), []);
  assert.equal(admin.requests, 4);
  assert.deepEqual(admin.log, ['placement.bind', 'placement.get', 'placement.unbind', 'placement.get']);
});

test('hold/release delays answers; reinstall invalidates old timers', async () => {
  const ctl = install();
  await init();
  ctl.hold();
  const p = rest('scope', {}, 300);
  await sleep(30);
  assert.equal(ctl.pending, 1);
  ctl.release();
  assert.notEqual(await p, NEVER);
  const old = rest('scope', {}, 60);
  install();
  assert.equal(await old, NEVER);
});

test('storm: a seeded share of HTTP requests fails (never the commands inside a batch); dropNext drops', async () => {
  const ctl = install({ seed: 7 });
  await init();
  ctl.storm(0.5);
  const got = [];
  for (let i = 0; i < 40; i++) got.push((await rest('scope', {}, 40)) === NEVER ? 'x' : 'o');
  const failed = got.filter((g) => g === 'x').length;
  assert.ok(failed > 8 && failed < 32, `about half failed: ${got.join('')}`);
  assert.equal(ctl.raised.length, failed);
  assert.ok(ctl.queryErrors.every((q) => q.status === 503 && q.error === 'QUERY_LIMIT_EXCEEDED'));
  // The same seed gives the same storm.
  const again = install({ seed: 7 });
  await init();
  again.storm(0.5);
  const got2 = [];
  for (let i = 0; i < 40; i++) got2.push((await rest('scope', {}, 40)) === NEVER ? 'x' : 'o');
  assert.equal(got2.join(''), got.join(''));
  // Inside a batch that went through, no sub-command is hit by the storm.
  again.clearFaults();
  again.storm(1, {}, 'batch');
  assert.equal(await cbOrNever((cb) => BX24.callBatch({ a: ['scope', {}] }, cb)), NEVER);
  again.clearFaults();
  again.failNext('*', { status: 503, times: Infinity, rate: 0.999999 });
  again._faults[0].method = 'scope';
  const b = await cbOrNever((cb) => BX24.callBatch({ a: ['scope', {}], b: ['app.info', {}] }, cb));
  assert.notEqual(b, NEVER);
  assert.equal(b.a.error(), undefined);
  again.clearFaults();
  again.dropNext('scope');
  const before = again.queryErrors.length;
  assert.equal(await rest('scope', {}), NEVER);
  assert.equal(again.queryErrors.length, before + 1);
  assert.equal(again.queryErrors[before].status, 0);
  assert.notEqual(await rest('scope', {}), NEVER);
});

test('xhr transport: a real POST to https://DOMAIN/rest/METHOD.json with auth, answered by __fakeBx24Serve', async () => {
  const sent = [];
  // A stand-in for the browser's XMLHttpRequest whose "network" is the REST host in the frame.
  class Xhr {
    open(m, url) { this.m = m; this.url = url; this.headers = {}; }
    setRequestHeader(k, v) { this.headers[k] = v; }
    send(body) {
      sent.push({ url: this.url, body, type: this.headers['Content-Type'] });
      const method = /\/rest\/(.+)\.json$/.exec(this.url)[1];
      globalThis.__fakeBx24Serve(method, body).then((a) => {
        if (a.never) return;
        try {
          if (a.abort) { this.status = 0; this.responseText = ''; this.onerror(); return; }
          this.status = a.status; this.responseText = JSON.stringify(a.body); this.onload();
        } catch (e) { thrown.push(e); }
      });
    }
  }
  const thrown = [];
  globalThis.XMLHttpRequest = Xhr;
  try {
    const ctl = install({ transport: 'xhr' });
    await init();
    const cur = await rest('user.get', { ID: 5 });
    assert.equal(cur.data()[0].LAST_NAME, 'Lopez');
    assert.equal(sent[0].url, 'https://fake.bitrix24.test/rest/user.get.json');
    assert.equal(sent[0].type, 'application/x-www-form-urlencoded');
    assert.match(sent[0].body, /^auth=FAKE-SECRET-TOKEN-123&ID=5$/);
    assert.deepEqual(ctl.history.at(-1), { method: 'user.get', params: { ID: '5' } });
    ctl.failNext('scope', { status: 503, error: 'QUERY_LIMIT_EXCEEDED' });
    assert.equal(await rest('scope', {}), NEVER);
    assert.deepEqual(thrown, ['Query error!']);
    ctl.dropNext('scope');
    assert.equal(await rest('scope', {}), NEVER);
    assert.deepEqual(thrown, ['Query error!', 'Query error!']);
    assert.deepEqual(ctl.raised, [], 'xhr transport throws from the handler, not through _raise');
    ctl.failNext('scope', { status: 401, error: 'expired_token' });
    assert.notEqual(await rest('scope', {}), NEVER);
    assert.equal(ctl.authRefreshes, 1);
    ctl.neverAnswerMethod('scope', 1);
    assert.equal(await rest('scope', {}), NEVER);
  } finally {
    delete globalThis.XMLHttpRequest;
  }
});

test('timeline comments, to-dos, auto-close log, lost answers, portal time zone', async () => {
  const ctl = install({ tzOffsetMin: 180, comments: [{ ID: '7', CREATED: '2026-01-10T10:00:00+03:00', ENTITY_ID: '797', ENTITY_TYPE: 'contact', AUTHOR_ID: '5', COMMENT: 'old', FILES: [] }] });
  await init();
  const added = await rest('crm.timeline.comment.add', { fields: { ENTITY_TYPE: 'contact', ENTITY_ID: 797, COMMENT: 'Reached <b>x</b>' } });
  assert.equal(added.error(), undefined);
  const id = added.data();
  assert.equal(typeof id, 'number');
  assert.match(added.time().date_start, /\+03:00$/, 'REST dates are in the portal time zone');
  const list = await rest('crm.timeline.comment.list', { filter: { ENTITY_ID: 797, ENTITY_TYPE: 'contact' }, order: { ID: 'DESC' } });
  assert.deepEqual(list.data().map((c) => c.ID), [String(id), '7']);
  assert.equal(list.data()[0].COMMENT, 'Reached <b>x</b>');
  assert.equal(list.data()[0].AUTHOR_ID, '1');
  assert.match(list.data()[0].CREATED, /\+03:00$/);
  assert.equal(list.total(), 2);
  const sel = await rest('crm.timeline.comment.list', { filter: { ENTITY_ID: 797, ENTITY_TYPE: 'contact' }, select: ['COMMENT'] });
  assert.deepEqual(sel.data()[1], { ID: '7', COMMENT: 'old' });
  assert.equal((await rest('crm.timeline.comment.list', { filter: { ENTITY_ID: 801, ENTITY_TYPE: 'contact' } })).data().length, 0);
  assert.equal((await rest('crm.timeline.comment.list', { filter: { ENTITY_ID: 797 } })).error().ex.error, 'ERROR_ARGUMENT');
  for (const bad of [{}, { FIELDS: { ENTITY_TYPE: 'contact', ENTITY_ID: 797, COMMENT: 'x' } },
    { fields: { ENTITY_TYPE: 'contact', ENTITY_ID: 999, COMMENT: 'x' } }, { fields: { ENTITY_TYPE: 'contact', ENTITY_ID: 797, COMMENT: ' ' } }]) {
    assert.ok((await rest('crm.timeline.comment.add', bad)).error(), JSON.stringify(bad));
  }
  assert.equal(ctl.comments.length, 2);

  const todo = await rest('crm.activity.todo.add', { ownerTypeId: 3, ownerId: 797, deadline: '2026-12-02T09:00:00+03:00', title: 'Call back', responsibleId: 1 });
  assert.equal(typeof todo.data().id, 'number');
  assert.deepEqual(ctl.todos[0], { id: todo.data().id, ownerTypeId: 3, ownerId: 797, deadline: '2026-12-02T09:00:00+03:00', title: 'Call back', description: '', responsibleId: 1 });
  assert.ok((await rest('crm.activity.todo.add', { ownerTypeId: 3, ownerId: 797 })).error());
  assert.ok((await rest('crm.activity.todo.add', { ownerTypeId: 3, ownerId: 1, deadline: '2026-12-02T09:00:00+03:00' })).error());

  // Both in one batch.
  const before = ctl.requests;
  const b = await rest('batch', { halt: 0, cmd: {
    note: 'crm.timeline.comment.add?fields[ENTITY_TYPE]=contact&fields[ENTITY_ID]=797&fields[COMMENT]=Hi',
    todo: 'crm.activity.todo.add?ownerTypeId=3&ownerId=797&deadline=2026-12-03T09%3A00%3A00%2B03%3A00&title=T'
  } });
  assert.equal(ctl.requests - before, 1);
  assert.equal(typeof b.data().result.note, 'number');
  assert.equal(typeof b.data().result.todo.id, 'number');
  assert.equal(ctl.comments.length, 3);

  // Carried out, answer lost: the state changed but no callback comes.
  ctl.loseAnswer('crm.timeline.comment.add');
  assert.equal(await rest('crm.timeline.comment.add', { fields: { ENTITY_TYPE: 'contact', ENTITY_ID: 797, COMMENT: 'lost' } }), NEVER);
  assert.equal(ctl.comments.at(-1).COMMENT, 'lost');
  assert.notEqual(await rest('crm.timeline.comment.add', { fields: { ENTITY_TYPE: 'contact', ENTITY_ID: 797, COMMENT: 'next' } }), NEVER, 'once only');

  await cbOrNever((cb) => BX24.placement.call('disableAutoClose', {}, cb));
  assert.equal(ctl.autoCloseDisabled, true);
  await cbOrNever((cb) => BX24.placement.call('enableAutoClose', {}, cb));
  assert.equal(ctl.autoCloseDisabled, false);
  assert.deepEqual(ctl.autoCloseLog.map((e) => e.cmd), ['disableAutoClose', 'enableAutoClose']);
  assert.equal(typeof ctl.autoCloseLog[0].at, 'number');
  BX24.appOption.set('results', '["a"]');
  assert.equal(BX24.appOption.get('results'), '["a"]');
});
