/*
 * fake-bx24.js — a faithful fake of the classic Bitrix24 JS library (`//api.bitrix24.com/api/v1/`),
 * backed by a scriptable in-memory "portal" (CALL_CARD placement + a small CRM).
 *
 * Plain classic script (no `export`): it only defines `globalThis.__fakeBx24Install(opts)`.
 * Playwright: page.addInitScript({path}) then page.addInitScript(o => __fakeBx24Install(o), opts).
 *
 * Behaviour copied from the real library and portal:
 *  - everything that crosses the frame boundary is JSON-cloned and delivered asynchronously;
 *  - placement.call with an unknown command never calls back; outside CALL_CARD nothing answers;
 *  - placement events deliver ONLY THE FIRST ARGUMENT (the portal's `_cb(res)` takes one argument);
 *  - bindEvent has no unbind, binding twice delivers twice, unknown events are ignored silently;
 *  - callMethod form-encodes params PHP-style (types are lost: numbers/booleans become strings,
 *    `null` and empty arrays vanish, `undefined` becomes "undefined"), the fake server parses them back;
 *  - HTTP status >= 500: the library throws 'Query error!' inside the XHR handler (an uncaught error)
 *    and the callback is NEVER called; 4xx: the callback gets a result whose error() is set;
 *  - `expired_token` (401): the library refreshes the token and re-sends transparently;
 *  - REST calls made before init are held until init completes;
 *  - batch: ONE request, `$result[key][path]` references, per-key result/result_error/result_total/
 *    result_next/result_time, empty maps are `[]`, halt stops at the first failing sub-call.
 *
 * Transports (opts.transport):
 *  - 'local' (default): the "network" is simulated in-page (no XMLHttpRequest; faults raised through
 *    ctl._raise). For unit tests and the same-origin runs that look inside the library.
 *  - 'xhr': as the real library, a real `XMLHttpRequest` POST, form-encoded with `auth=<token>`, to
 *    `https://DOMAIN/rest/METHOD.json`. Whoever answers that URL (tests/e2e/portal.mjs routes it) asks
 *    `__fakeBx24Serve(method, body)` in the frame for the answer {status, body} (or {abort}/{never}),
 *    so the server state and every test control stay here. On status >= 500 or a network error the
 *    XHR handler throws 'Query error!' (cross-origin: the page sees "Script error.") and never calls back.
 */
(function () {
  'use strict';

  var G = typeof globalThis !== 'undefined' ? globalThis : this;

  var CALL_CARD_EVENTS = ['CallCard::EntityChanged', 'CallCard::BeforeClose', 'CallCard::CallStateChanged'];
  var CALL_CARD_COMMANDS = ['getStatus', 'disableAutoClose', 'enableAutoClose'];
  var ENTITY_TYPE_IDS = { LEAD: 1, DEAL: 2, CONTACT: 3, COMPANY: 4 };
  var DOMAIN = 'fake.bitrix24.test';
  var PAGE_SIZE = 50;

  // ---------------------------------------------------------------- defaults

  function defaultCrm() {
    return {
      contacts: [
        {
          id: 797, honorific: '', name: 'Klaus', secondName: '', lastName: 'Weber',
          post: 'Head of Procurement', companyId: 643, companyIds: [643], assignedById: 5,
          typeId: 'CLIENT', sourceId: 'CALL', opened: 'Y', comments: '',
          createdTime: '2025-03-04T09:12:00+01:00', updatedTime: '2026-01-15T16:40:00+01:00',
          fm: [
            { id: 1201, typeId: 'PHONE', valueType: 'WORK', value: '+4930123456' },
            { id: 1202, typeId: 'PHONE', valueType: 'MOBILE', value: '+491701234567' },
            { id: 1203, typeId: 'EMAIL', valueType: 'WORK', value: 'k.weber@weber-logistics.example' }
          ]
        },
        {
          id: 801, honorific: '', name: 'Anna', secondName: '', lastName: 'Schmidt',
          post: 'Office Manager', companyId: 644, companyIds: [644], assignedById: 5,
          typeId: 'CLIENT', sourceId: 'WEB', opened: 'Y', comments: '',
          createdTime: '2025-06-10T11:00:00+02:00', updatedTime: '2026-02-02T10:05:00+01:00',
          fm: [
            { id: 1211, typeId: 'PHONE', valueType: 'WORK', value: '+4940987654' },
            { id: 1212, typeId: 'EMAIL', valueType: 'WORK', value: 'anna.schmidt@schmidt-bau.example' }
          ]
        }
      ],
      companies: [
        {
          id: 643, title: 'Weber Logistics GmbH', companyType: 'CUSTOMER', industry: 'DELIVERY',
          assignedById: 5, opened: 'Y', createdTime: '2025-03-04T09:10:00+01:00',
          updatedTime: '2026-01-15T16:41:00+01:00',
          fm: [{ id: 1301, typeId: 'PHONE', valueType: 'WORK', value: '+4930123400' }]
        },
        {
          id: 644, title: 'Schmidt Bau AG', companyType: 'CUSTOMER', industry: 'MANUFACTURING',
          assignedById: 5, opened: 'Y', createdTime: '2025-06-10T10:55:00+02:00',
          updatedTime: '2026-02-02T10:00:00+01:00',
          fm: [{ id: 1311, typeId: 'PHONE', valueType: 'WORK', value: '+4940987600' }]
        }
      ],
      deals: [
        {
          id: 4615, title: 'Fleet renewal', stageId: 'PREPARATION', categoryId: 0, stageSemanticId: 'P',
          opportunity: 18500, currencyId: 'EUR', contactId: 797, contactIds: [797], companyId: 643,
          assignedById: 5, opened: 'Y', closed: 'N', closedate: '2026-04-30T03:00:00+02:00',
          createdTime: '2026-01-10T10:00:00+01:00', updatedTime: '2026-01-15T16:42:00+01:00'
        },
        {
          id: 4616, title: 'Service contract', stageId: 'WON', categoryId: 0, stageSemanticId: 'S',
          opportunity: 4200, currencyId: 'EUR', contactId: 797, contactIds: [797], companyId: 643,
          assignedById: 5, opened: 'Y', closed: 'Y', closedate: '2025-11-28T03:00:00+01:00',
          createdTime: '2025-09-01T09:00:00+02:00', updatedTime: '2025-11-28T14:20:00+01:00'
        }
      ],
      leads: [
        {
          id: 120, title: 'Inbound call +4989555000', name: 'Jonas', secondName: '', lastName: 'Becker',
          honorific: '', companyTitle: 'Becker Handels KG', stageId: 'NEW', stageSemanticId: 'P',
          assignedById: 5, sourceId: 'CALL', opened: 'Y', opportunity: 0, currencyId: 'EUR',
          createdTime: '2026-02-20T08:30:00+01:00', updatedTime: '2026-02-20T08:30:00+01:00',
          fm: [{ id: 1401, typeId: 'PHONE', valueType: 'WORK', value: '+4989555000' }]
        }
      ],
      users: [
        { ID: '1', ACTIVE: true, NAME: 'Daniel', LAST_NAME: 'Fischer', SECOND_NAME: '', EMAIL: 'd.fischer@fake.example', WORK_POSITION: 'Administrator', PERSONAL_PHOTO: '' },
        { ID: '5', ACTIVE: true, NAME: 'Maria', LAST_NAME: 'Lopez', SECOND_NAME: '', EMAIL: 'm.lopez@fake.example', WORK_POSITION: 'Sales Manager', PERSONAL_PHOTO: '' }
      ],
      currentUserId: 1,
      statuses: [
        { ID: '1', ENTITY_ID: 'DEAL_STAGE', STATUS_ID: 'NEW', NAME: 'New', NAME_INIT: 'New', SORT: '10', SYSTEM: 'Y', CATEGORY_ID: '0', COLOR: '#39A8EF', SEMANTICS: null },
        { ID: '2', ENTITY_ID: 'DEAL_STAGE', STATUS_ID: 'PREPARATION', NAME: 'Preparing documents', NAME_INIT: 'Preparing documents', SORT: '20', SYSTEM: 'N', CATEGORY_ID: '0', COLOR: '#2FC6F6', SEMANTICS: null },
        { ID: '3', ENTITY_ID: 'DEAL_STAGE', STATUS_ID: 'WON', NAME: 'Deal won', NAME_INIT: 'Deal won', SORT: '60', SYSTEM: 'Y', CATEGORY_ID: '0', COLOR: '#7BD500', SEMANTICS: 'S' },
        { ID: '4', ENTITY_ID: 'DEAL_STAGE', STATUS_ID: 'LOSE', NAME: 'Deal lost', NAME_INIT: 'Deal lost', SORT: '70', SYSTEM: 'Y', CATEGORY_ID: '0', COLOR: '#FF5752', SEMANTICS: 'F' },
        { ID: '11', ENTITY_ID: 'STATUS', STATUS_ID: 'NEW', NAME: 'Unassigned', NAME_INIT: 'Unassigned', SORT: '10', SYSTEM: 'Y', CATEGORY_ID: null, COLOR: '#39A8EF', SEMANTICS: null },
        { ID: '12', ENTITY_ID: 'STATUS', STATUS_ID: 'IN_PROCESS', NAME: 'In progress', NAME_INIT: 'In progress', SORT: '20', SYSTEM: 'N', CATEGORY_ID: null, COLOR: '#2FC6F6', SEMANTICS: null },
        { ID: '13', ENTITY_ID: 'STATUS', STATUS_ID: 'CONVERTED', NAME: 'Good lead', NAME_INIT: 'Good lead', SORT: '50', SYSTEM: 'Y', CATEGORY_ID: null, COLOR: '#7BD500', SEMANTICS: 'S' },
        { ID: '14', ENTITY_ID: 'STATUS', STATUS_ID: 'JUNK', NAME: 'Junk lead', NAME_INIT: 'Junk lead', SORT: '60', SYSTEM: 'Y', CATEGORY_ID: null, COLOR: '#FF5752', SEMANTICS: 'F' }
      ]
    };
  }

  // Live `getStatus` answer (real types). No CRM_ACTIVITY_ID yet, hence "undefined" in the POST options.
  function defaultStatus() {
    return {
      CALL_ID: 'E45D40253D1C2D2F.1774588815.822533',
      PHONE_NUMBER: '+4930123456',
      LINE_NUMBER: '+493055501000',
      LINE_NAME: 'Berlin office',
      CRM_ENTITY_TYPE: 'CONTACT',
      CRM_ENTITY_ID: 797,
      CRM_BINDINGS: [
        { ENTITY_TYPE: 'DEAL', ENTITY_ID: 4615 },
        { ENTITY_TYPE: 'DEAL', ENTITY_ID: 4616 },
        { ENTITY_TYPE: 'COMPANY', ENTITY_ID: 643 }
      ],
      CALL_DIRECTION: 'incoming',
      CALL_STATE: 'connecting',
      CALL_LIST_MODE: false
    };
  }

  // PLACEMENT_OPTIONS as the portal POSTs them: every value a string.
  function optionsFromStatus(st) {
    var o = {};
    Object.keys(st).forEach(function (k) {
      var v = st[k];
      if (k === 'CRM_BINDINGS') {
        o[k] = (v || []).map(function (b) { return { ENTITY_TYPE: String(b.ENTITY_TYPE), ENTITY_ID: String(b.ENTITY_ID) }; });
      } else if (v === undefined || v === null) {
        // absent
      } else {
        o[k] = String(v);
      }
    });
    if (o.CRM_ACTIVITY_ID === undefined || o.CRM_ACTIVITY_ID === '') o.CRM_ACTIVITY_ID = 'undefined';
    if (o.CRM_ENTITY_ID === undefined) o.CRM_ENTITY_ID = '0';
    if (o.CALL_LIST_MODE === undefined) o.CALL_LIST_MODE = 'false';
    return o;
  }

  // The reverse, for opts that give only `options`.
  function statusFromOptions(o) {
    var st = {};
    Object.keys(o).forEach(function (k) {
      var v = o[k];
      if (k === 'URI') return;
      if (k === 'CRM_BINDINGS') {
        st[k] = (v || []).map(function (b) { return { ENTITY_TYPE: String(b.ENTITY_TYPE), ENTITY_ID: parseInt(b.ENTITY_ID, 10) || 0 }; });
      } else if (k === 'CRM_ENTITY_ID') {
        st[k] = parseInt(v, 10) || 0;
      } else if (k === 'CRM_ACTIVITY_ID') {
        var n = parseInt(v, 10);
        if (!isNaN(n)) st[k] = n;
      } else if (k === 'CALL_LIST_MODE') {
        st[k] = v === true || v === 'true' || v === 'Y' || v === '1';
      } else {
        st[k] = v;
      }
    });
    return st;
  }

  // ---------------------------------------------------------------- small utils

  function clone(v) { return v === undefined ? undefined : JSON.parse(JSON.stringify(v)); }
  function isObj(v) { return v !== null && typeof v === 'object'; }
  function toInt(v) { var n = parseInt(v, 10); return isNaN(n) ? null : n; }
  function own(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }

  // Real `ajax.prepareData`: PHP-style form encoding, no type information survives.
  function prepareData(data, prefix) {
    var out = [];
    if (typeof data === 'string' || data === null || data === undefined) return data || '';
    for (var k in data) {
      if (!own(data, k)) continue;
      var v = data[k];
      if (typeof v === 'function') continue;
      var name = encodeURIComponent(k);
      if (prefix) name = prefix + '[' + name + ']';
      if (typeof v === 'object') {
        var nested = prepareData(v, name);
        if (nested) out.push(nested);
      } else {
        out.push(name + '=' + encodeURIComponent(v));
      }
    }
    return out.join('&');
  }

  function decodeComponent(s) {
    try { return decodeURIComponent(String(s).replace(/\+/g, ' ')); } catch (e) { return s; }
  }

  // PHP parse_str: `a[b][0]=x&a[b][]=y`, top-level dots/spaces become `_`. Returns nested plain objects
  // whose keys are strings; objects with keys 0..n-1 are turned into arrays (like PHP lists).
  function parseQuery(qs) {
    var root = {};
    if (!qs) return root;
    String(qs).split('&').forEach(function (pair) {
      if (!pair) return;
      var eq = pair.indexOf('=');
      var rawKey = eq < 0 ? pair : pair.slice(0, eq);
      var rawVal = eq < 0 ? '' : pair.slice(eq + 1);
      var key = decodeComponent(rawKey);
      var val = decodeComponent(rawVal);
      var br = key.indexOf('[');
      var base = br < 0 ? key : key.slice(0, br);
      base = base.replace(/[. ]/g, '_');
      if (!base) return;
      var path = [base];
      if (br >= 0) {
        var re = /\[([^\]]*)\]/g, m, rest = key.slice(br);
        while ((m = re.exec(rest)) !== null) path.push(m[1]);
      }
      var node = root;
      for (var i = 0; i < path.length; i++) {
        var p = path[i];
        if (p === '') p = String(Object.keys(node).length);
        if (i === path.length - 1) {
          node[p] = val;
        } else {
          if (!isObj(node[p])) node[p] = {};
          node = node[p];
        }
      }
    });
    return listify(root);
  }

  function listify(v) {
    if (!isObj(v)) return v;
    var keys = Object.keys(v);
    keys.forEach(function (k) { v[k] = listify(v[k]); });
    if (keys.length > 0 && keys.every(function (k, i) { return k === String(i); })) {
      return keys.map(function (k) { return v[k]; });
    }
    return v;
  }

  // PHP json_encode of an associative array: [] when empty, a list when keys are 0..n-1, else an object.
  function phpMap(pairs) {
    if (pairs.length === 0) return [];
    if (pairs.every(function (p, i) { return String(p[0]) === String(i); })) return pairs.map(function (p) { return p[1]; });
    var o = {};
    pairs.forEach(function (p) { o[p[0]] = p[1]; });
    return o;
  }

  function asList(v) {
    if (v === undefined || v === null || v === '') return [];
    if (Array.isArray(v)) return v;
    if (isObj(v)) return Object.keys(v).map(function (k) { return v[k]; });
    return [v];
  }

  // `offsetMin`: the portal's time zone (minutes east of UTC) the dates are written in.
  function isoAt(s, offsetMin) {
    var off = offsetMin || 0;
    var t = new Date((s + off * 60) * 1000).toISOString().replace(/\.\d+Z$/, '');
    var a = Math.abs(off);
    var hh = String(Math.floor(a / 60)).padStart(2, '0'), mm = String(a % 60).padStart(2, '0');
    return t + (off < 0 ? '-' : '+') + hh + ':' + mm;
  }

  function mkTime(duration, offsetMin) {
    var now = Date.now() / 1000;
    var start = now - duration;
    var iso = function (s) { return isoAt(s, offsetMin); };
    return {
      start: start, finish: now, duration: duration, processing: duration * 0.8,
      date_start: iso(start), date_finish: iso(now),
      operating_reset_at: Math.floor(now) + 600, operating: 0
    };
  }

  // ---------------------------------------------------------------- installer

  var generation = 0;

  function install(opts) {
    opts = opts || {};
    var gen = ++generation;
    var W = G.window || G;

    var placement = opts.placement || 'CALL_CARD';
    var isCallCard = placement === 'CALL_CARD';
    var status, options;
    if (opts.status) {
      status = clone(opts.status);
      options = opts.options ? clone(opts.options) : optionsFromStatus(status);
    } else if (opts.options) {
      options = clone(opts.options);
      status = statusFromOptions(options);
    } else if (isCallCard) {
      status = defaultStatus();
      options = optionsFromStatus(status);
    } else {
      status = {};
      options = {};
    }
    var crm = opts.crm ? clone(opts.crm) : defaultCrm();
    var dflt = defaultCrm();
    ['contacts', 'companies', 'deals', 'leads', 'users', 'statuses'].forEach(function (k) { if (!crm[k]) crm[k] = []; });
    if (crm.currentUserId === undefined) crm.currentUserId = dflt.currentUserId;

    if (!opts.keepName) W.name = DOMAIN + '|1|fakeappsid';

    var ctl = {
      placement: placement,
      options: options,
      status: status,
      crm: crm,
      lang: opts.lang || 'en',
      admin: opts.isAdmin === undefined ? true : !!opts.isAdmin,
      latencyMs: opts.latencyMs === undefined ? 20 : opts.latencyMs,
      placementLatencyMs: opts.placementLatencyMs === undefined ? 5 : opts.placementLatencyMs,
      passSecondArg: !!opts.passSecondArg,
      transport: opts.transport === 'xhr' ? 'xhr' : 'local',
      restBase: opts.restBase || ('https://' + DOMAIN + '/rest/'),
      seed: opts.seed === undefined ? 1 : (opts.seed >>> 0),
      inited: false,
      // counters / logs
      requests: 0,
      log: [],
      history: [],
      calls: [],
      fitWindowCalls: 0,
      resizes: [],
      openedPaths: [],
      installFinished: false,
      userOptions: clone(opts.userOptions || {}),
      appOptions: clone(opts.appOptions || {}),
      // The portal's time zone (minutes east of UTC): REST `time.date_start` and comment dates use it.
      tzOffsetMin: opts.tzOffsetMin === undefined ? 0 : opts.tzOffsetMin,
      // Timeline comments (crm.timeline.comment.add/list) and to-dos (crm.activity.todo.add).
      comments: clone(opts.comments || []),
      todos: [],
      // disableAutoClose / enableAutoClose as the portal received them: [{cmd, at}].
      autoCloseLog: [],
      queryErrors: [],
      authRefreshes: 0,
      titles: [],
      reloads: 0,
      placements: clone(opts.placements || []),
      // internals
      listeners: {},
      _faults: [],
      _never: {},
      _drop: {},
      _lose: {},
      _throw: {},
      _cmdMode: {},
      _methods: {},
      _held: null,
      _pending: 0,
      _initQueue: [],
      _restQueue: [],
      _sliders: []
    };

    function alive() { return gen === generation; }

    // mulberry32: storms are the same for the same seed.
    var rngState = ctl.seed || 1;
    function random() {
      rngState = (rngState + 0x6D2B79F5) >>> 0;
      var t = rngState;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    function later(fn, ms) {
      ctl._pending++;
      setTimeout(function () {
        if (!alive()) return;
        if (ctl._held) { ctl._held.push(fn); return; }
        ctl._pending--;
        fn();
      }, ms || 0);
    }

    // The real library throws asynchronously from the XHR handler; tests may replace this hook.
    ctl._raise = function (err) { setTimeout(function () { throw err; }, 0); };

    // ------------------------------------------------------------ REST server

    function err(status, code, description) {
      return { status: status, body: { error: code, error_description: description || '' } };
    }

    function ok(result, extra) {
      var body = { result: result };
      if (extra) Object.keys(extra).forEach(function (k) { body[k] = extra[k]; });
      body.time = mkTime(0.01 + Math.random() * 0.02, ctl.tzOffsetMin);
      return { status: 200, body: body };
    }

    function collectionFor(entityTypeId) {
      switch (toInt(entityTypeId)) {
        case 1: return crm.leads;
        case 2: return crm.deals;
        case 3: return crm.contacts;
        case 4: return crm.companies;
        default: return null;
      }
    }

    function matchValue(itemVal, op, want) {
      var wants = asList(want);
      if (op === '@' || op === '!@') {
        var hit = wants.some(function (w) { return matchValue(itemVal, '=', w); });
        return op === '@' ? hit : !hit;
      }
      if (Array.isArray(itemVal)) {
        var any = itemVal.some(function (v) { return matchValue(v, op === '!' || op === '!=' ? '=' : op, want); });
        return op === '!' || op === '!=' ? !any : any;
      }
      var a = itemVal, b = Array.isArray(want) ? want[0] : want;
      var na = Number(a), nb = Number(b);
      var numeric = a !== null && a !== '' && b !== null && b !== '' && !isNaN(na) && !isNaN(nb) && typeof a !== 'boolean';
      switch (op) {
        case '': case '=': return numeric ? na === nb : String(a) === String(b);
        case '!': case '!=': return numeric ? na !== nb : String(a) !== String(b);
        case '>': return numeric ? na > nb : String(a) > String(b);
        case '>=': return numeric ? na >= nb : String(a) >= String(b);
        case '<': return numeric ? na < nb : String(a) < String(b);
        case '<=': return numeric ? na <= nb : String(a) <= String(b);
        case '%': return String(a || '').toLowerCase().indexOf(String(b).toLowerCase()) >= 0;
        default: return false;
      }
    }

    function applyFilter(items, filter, upper) {
      if (!isObj(filter)) return items;
      return items.filter(function (it) {
        return Object.keys(filter).every(function (k) {
          if (k === 'logic') return true;
          var m = /^(!@|!=|>=|<=|@|=|!|>|<|%)?(.*)$/.exec(k);
          var op = m[1] || '', field = m[2];
          var val = it[field];
          if (val === undefined && upper) val = it[field.toUpperCase()];
          if (val === undefined && !upper) {
            // allow UPPER_CASE filter keys on camelCase items (ID, STAGE_ID…)
            var camel = field.toLowerCase().replace(/_([a-z])/g, function (_, c) { return c.toUpperCase(); });
            val = it[camel];
          }
          return matchValue(val, op, filter[k]);
        });
      });
    }

    function applyOrder(items, order) {
      if (!isObj(order) || Array.isArray(order)) return items;
      var keys = Object.keys(order);
      if (!keys.length) return items;
      return items.slice().sort(function (x, y) {
        for (var i = 0; i < keys.length; i++) {
          var k = keys[i], dir = String(order[k]).toUpperCase() === 'DESC' ? -1 : 1;
          var a = x[k], b = y[k];
          var na = Number(a), nb = Number(b);
          var c = (!isNaN(na) && !isNaN(nb)) ? na - nb : String(a).localeCompare(String(b));
          if (c) return c * dir;
        }
        return 0;
      });
    }

    function page(items, startRaw) {
      var start = toInt(startRaw);
      var noTotal = start === -1;
      if (start === null || start < 0) start = 0;
      var slice = items.slice(start, start + PAGE_SIZE);
      var extra = {};
      if (!noTotal) {
        extra.total = items.length;
        if (start + PAGE_SIZE < items.length) extra.next = start + PAGE_SIZE;
      }
      return { slice: slice, extra: extra };
    }

    function itemOut(item, select) {
      var sel = asList(select);
      var full = sel.length === 0 || sel.indexOf('*') >= 0;
      if (full) return clone(item);
      var o = { id: item.id };
      sel.forEach(function (f) { if (f !== 'fm' && own(item, f)) o[f] = clone(item[f]); });
      return o;
    }

    function upperMultifields(item) {
      var out = {};
      (item.fm || []).forEach(function (f) {
        var key = f.typeId;
        (out[key] = out[key] || []).push({ ID: String(f.id), VALUE_TYPE: f.valueType, VALUE: f.value, TYPE_ID: f.typeId });
      });
      return out;
    }

    function toUpperItem(item) {
      var o = {};
      Object.keys(item).forEach(function (k) {
        if (k === 'fm' || k === 'contactIds' || k === 'companyIds') return;
        var up = k.replace(/([A-Z])/g, '_$1').toUpperCase();
        var v = item[k];
        o[up] = v === null || v === undefined ? null : (typeof v === 'object' ? clone(v) : String(v));
      });
      var mf = upperMultifields(item);
      Object.keys(mf).forEach(function (k) { o[k] = mf[k]; });
      return o;
    }

    function findBy(list, id) {
      var n = toInt(id);
      for (var i = 0; i < list.length; i++) if (list[i].id === n) return list[i];
      return null;
    }

    function normDigits(s) { return String(s || '').replace(/[^\d]/g, ''); }

    var server = {
      'crm.item.get': function (p) {
        var col = collectionFor(p.entityTypeId);
        if (!col) return err(400, 'NOT_FOUND', 'Smart process not found');
        if (p.id === undefined || p.id === '') return err(400, 'ERROR_ARGUMENT', 'Required parameter "id" is missing');
        var it = findBy(col, p.id);
        if (!it) return err(400, 'NOT_FOUND', 'Element not found');
        return ok({ item: clone(it) });
      },
      'crm.item.list': function (p) {
        var col = collectionFor(p.entityTypeId);
        if (!col) return err(400, 'NOT_FOUND', 'Smart process not found');
        var items = applyOrder(applyFilter(col, p.filter, false), p.order);
        var pg = page(items, p.start);
        return ok({ items: pg.slice.map(function (it) { return itemOut(it, p.select); }) }, pg.extra);
      },
      'user.get': function (p) {
        var filter = {};
        var src = isObj(p.FILTER) ? p.FILTER : (isObj(p.filter) ? p.filter : p);
        Object.keys(src).forEach(function (k) {
          if (['sort', 'order', 'start', 'ADMIN_MODE', 'FILTER', 'filter', 'SORT', 'ORDER'].indexOf(k) >= 0) return;
          filter[k] = src[k];
        });
        if (own(filter, 'ID') && Array.isArray(filter.ID)) { filter['@ID'] = filter.ID; delete filter.ID; }
        if (own(filter, 'ACTIVE')) filter.ACTIVE = filter.ACTIVE === 'true' || filter.ACTIVE === 'Y' || filter.ACTIVE === '1' || filter.ACTIVE === true;
        var users = crm.users.filter(function (u) {
          return Object.keys(filter).every(function (k) {
            var m = /^(!@|!=|>=|<=|@|=|!|>|<|%)?(.*)$/.exec(k);
            var v = u[m[2]];
            if (m[2] === 'ACTIVE') return (v === true) === filter[k];
            return matchValue(v, m[1] || '', filter[k]);
          });
        });
        var pg = page(users, p.start);
        return ok(clone(pg.slice), pg.extra);
      },
      'user.current': function () {
        var u = crm.users.filter(function (x) { return String(x.ID) === String(crm.currentUserId); })[0];
        return ok(clone(u || {}));
      },
      'crm.status.list': function (p) {
        var items = applyOrder(applyFilter(crm.statuses, p.filter, true), p.order);
        return ok(clone(items), { total: items.length });
      },
      'crm.status.entity.items': function (p) {
        var items = crm.statuses.filter(function (s) { return s.ENTITY_ID === p.entityId; });
        return ok(items.map(function (s) { return { NAME: s.NAME, SORT: parseInt(s.SORT, 10), STATUS_ID: s.STATUS_ID }; }));
      },
      'crm.duplicate.findbycomm': function (p) {
        var type = String(p.type || '').toUpperCase();
        if (type !== 'PHONE' && type !== 'EMAIL') return err(400, 'ERROR_ARGUMENT', 'Parameter "type" is invalid');
        var values = asList(p.values);
        var wanted = p.entity_type ? [String(p.entity_type).toUpperCase()] : ['LEAD', 'CONTACT', 'COMPANY'];
        var pairs = [];
        wanted.forEach(function (et) {
          var col = collectionFor(ENTITY_TYPE_IDS[et]) || [];
          var ids = col.filter(function (it) {
            return (it.fm || []).some(function (f) {
              return f.typeId === type && values.some(function (v) {
                return type === 'PHONE' ? normDigits(v) === normDigits(f.value) : String(v).toLowerCase() === String(f.value).toLowerCase();
              });
            });
          }).map(function (it) { return it.id; });
          if (ids.length) pairs.push([et, ids]);
        });
        return ok(phpMap(pairs));
      },
      'placement.get': function () { return ok(clone(ctl.placements)); },
      'placement.list': function () { return ok(['CALL_CARD', 'CRM_CONTACT_DETAIL_TAB', 'CRM_DEAL_DETAIL_TAB', 'DEFAULT']); },
      'placement.bind': function (p) {
        if (!ctl.admin) return err(403, 'ACCESS_DENIED', 'Access denied! Application administrator rights required');
        if (!p.PLACEMENT) return { status: 400, body: { error: 'ERROR_ARGUMENT', error_description: 'Argument "PLACEMENT" is null or empty', argument: 'PLACEMENT' } };
        if (!p.HANDLER) return { status: 400, body: { error: 'ERROR_ARGUMENT', error_description: 'Argument "HANDLER" is null or empty', argument: 'HANDLER' } };
        var exists = ctl.placements.some(function (x) { return x.placement === p.PLACEMENT && x.handler === p.HANDLER; });
        if (exists) return err(400, 'ERROR_PLACEMENT_HANDLER_ALREADY_BINDED', 'Handler already binded');
        ctl.placements.push({
          placement: p.PLACEMENT, handler: p.HANDLER, options: [], title: p.TITLE || '',
          description: p.DESCRIPTION || '', langAll: clone(p.LANG_ALL || {})
        });
        return ok(true);
      },
      'placement.unbind': function (p) {
        if (!ctl.admin) return err(403, 'ACCESS_DENIED', 'Access denied! Application administrator rights required');
        var before = ctl.placements.length;
        ctl.placements = ctl.placements.filter(function (x) {
          return !(x.placement === p.PLACEMENT && (!p.HANDLER || x.handler === p.HANDLER));
        });
        return ok({ count: before - ctl.placements.length });
      },
      'app.info': function () {
        return ok({
          ID: 42, CODE: 'local.fakeapp', VERSION: 1, STATUS: 'L', INSTALLED: opts.installed === undefined ? true : !!opts.installed,
          PAYMENT_EXPIRED: 'N', DAYS: null, LANGUAGE_ID: ctl.lang, LICENSE: 'en_project', LICENSE_TYPE: 'project', LICENSE_FAMILY: 'project'
        });
      },
      'scope': function () { return ok(['crm', 'user_basic', 'placement', 'telephony']); },
      // fields{ENTITY_TYPE (lowercase name), ENTITY_ID, COMMENT}; the key must be lowercase `fields`.
      'crm.timeline.comment.add': function (p) {
        var f = p.fields;
        if (!isObj(f)) return err(400, 'ERROR_ARGUMENT', "Argument 'fields' is null or empty");
        var typeId = ENTITY_TYPE_IDS[String(f.ENTITY_TYPE || '').toUpperCase()];
        if (!typeId) return err(400, 'ERROR_ARGUMENT', 'ENTITY_TYPE is not defined or invalid.');
        var col = collectionFor(typeId);
        if (!findBy(col, f.ENTITY_ID)) return err(400, 'NOT_FOUND', 'Entity not found.');
        if (typeof f.COMMENT !== 'string' || !f.COMMENT.trim()) return err(400, 'ERROR_ARGUMENT', 'COMMENT is not defined or empty.');
        var id = ctl.comments.reduce(function (m, c) { return Math.max(m, parseInt(c.ID, 10) || 0); }, 900) + 1;
        ctl.comments.push({
          ID: String(id), CREATED: isoAt(Date.now() / 1000, ctl.tzOffsetMin), ENTITY_ID: String(parseInt(f.ENTITY_ID, 10)),
          ENTITY_TYPE: String(f.ENTITY_TYPE).toLowerCase(), AUTHOR_ID: String(crm.currentUserId), COMMENT: f.COMMENT, FILES: []
        });
        return ok(id);
      },
      // filter{ENTITY_ID, ENTITY_TYPE} (both needed), order{ID|CREATED: DESC|ASC} (default ID DESC), select, start.
      'crm.timeline.comment.list': function (p) {
        var f = isObj(p.filter) ? p.filter : {};
        var typeName = String(f.ENTITY_TYPE || '').toLowerCase();
        if (!ENTITY_TYPE_IDS[typeName.toUpperCase()]) return err(400, 'ERROR_ARGUMENT', 'ENTITY_TYPE is not defined or invalid.');
        if (!toInt(f.ENTITY_ID)) return err(400, 'ERROR_ARGUMENT', 'ENTITY_ID is not defined or invalid.');
        var rows = ctl.comments.filter(function (c) { return c.ENTITY_TYPE === typeName && String(c.ENTITY_ID) === String(toInt(f.ENTITY_ID)); });
        rows.sort(function (a, b) { return parseInt(b.ID, 10) - parseInt(a.ID, 10); });
        if (isObj(p.order) && Object.keys(p.order).length) rows = applyOrder(rows, p.order);
        var pg = page(rows, p.start);
        var sel = asList(p.select);
        return ok(pg.slice.map(function (c) {
          if (!sel.length || sel.indexOf('*') >= 0) return clone(c);
          var o = { ID: c.ID };
          sel.forEach(function (k) { if (own(c, k)) o[k] = clone(c[k]); });
          return o;
        }), pg.extra);
      },
      // Issue 11 (glance): who has a number / an e-mail. type PHONE|EMAIL, values (≤ 20), entity_type?;
      // answers {LEAD:[ids], CONTACT:[ids], COMPANY:[ids]} (only the types that matched) or [] for none.
      'crm.duplicate.findbycomm': function (p) {
        var type = String(p.type || '').toUpperCase();
        if (type !== 'PHONE' && type !== 'EMAIL') return err(400, 'ERROR_ARGUMENT', "Parameter 'type' must be PHONE or EMAIL.");
        var norm = function (v) { return type === 'PHONE' ? String(v).replace(/\D/g, '') : String(v).trim().toLowerCase(); };
        var values = asList(p.values).map(norm).filter(function (v) { return v; });
        if (!values.length) return err(400, 'ERROR_ARGUMENT', "Parameter 'values' is not defined.");
        if (values.length > 20) return err(400, 'ERROR_ARGUMENT', 'Too many values: 20 at most.');
        var out = {};
        [['LEAD', crm.leads], ['CONTACT', crm.contacts], ['COMPANY', crm.companies]].forEach(function (t) {
          if (p.entity_type && String(p.entity_type).toUpperCase() !== t[0]) return;
          var ids = (t[1] || []).filter(function (it) {
            return (it.fm || []).some(function (m) { return m.typeId === type && values.indexOf(norm(m.value)) >= 0; });
          }).map(function (it) { return it.id; }).slice(0, 20);
          if (ids.length) out[t[0]] = ids;
        });
        ctl.findByComm = (ctl.findByComm || 0) + 1;
        return ok(Object.keys(out).length ? out : []);
      },
      // Issue 11 (glance): a plain activity list for the history — `crm.activities` (rows as the portal
      // sends them) plus the saved to-dos as open CRM_TODO rows; filter BINDINGS [{OWNER_TYPE_ID, OWNER_ID}],
      // `<ID`, order ID DESC, start=-1 (no total).
      'crm.activity.list': function (p) {
        var f = isObj(p.filter) ? p.filter : {};
        var b = asList(f.BINDINGS)[0] || {};
        var rows = (crm.activities || []).map(clone).concat(ctl.todos.map(function (t) {
          return { ID: String(t.id), OWNER_TYPE_ID: String(t.ownerTypeId), OWNER_ID: String(t.ownerId), TYPE_ID: '6',
            PROVIDER_ID: 'CRM_TODO', PROVIDER_TYPE_ID: 'TODO', SUBJECT: t.title, DIRECTION: '0', COMPLETED: 'N',
            START_TIME: t.deadline, DEADLINE: t.deadline, RESPONSIBLE_ID: String(t.responsibleId) };
        }));
        rows = rows.filter(function (r) {
          return (!b.OWNER_TYPE_ID || String(r.OWNER_TYPE_ID) === String(toInt(b.OWNER_TYPE_ID))) &&
            (!b.OWNER_ID || String(r.OWNER_ID) === String(toInt(b.OWNER_ID))) &&
            (f['<ID'] === undefined || toInt(r.ID) < toInt(f['<ID']));
        });
        rows.sort(function (x, y) { return toInt(y.ID) - toInt(x.ID); });
        var pg = page(rows, p.start);
        return ok(pg.slice, pg.extra);
      },
      // ownerTypeId, ownerId, deadline (ISO; without an offset: portal time), title, description, responsibleId.
      'crm.activity.todo.add': function (p) {
        var missing = ['ownerTypeId', 'ownerId', 'deadline'].filter(function (k) { return p[k] === undefined || p[k] === ''; })[0];
        if (missing) return err(400, 'ERROR_ARGUMENT', 'Required parameter "' + missing + '" is missing.');
        var col = collectionFor(p.ownerTypeId);
        if (!col || !findBy(col, p.ownerId)) return err(400, 'NOT_FOUND', 'Owner not found.');
        var at = Date.parse(p.deadline);
        if (isNaN(at)) return err(400, 'ERROR_ARGUMENT', 'deadline is not a date and time.');
        var id = 5000 + ctl.todos.length + 1;
        ctl.todos.push({
          id: id, ownerTypeId: toInt(p.ownerTypeId), ownerId: toInt(p.ownerId), deadline: String(p.deadline),
          title: p.title === undefined ? '' : String(p.title), description: p.description === undefined ? '' : String(p.description),
          responsibleId: p.responsibleId === undefined ? crm.currentUserId : toInt(p.responsibleId)
        });
        return ok({ id: id });
      }
    };

    // deprecated UPPER_CASE getters (crm.contact.get etc.)
    [['contact', 3], ['company', 4], ['deal', 2], ['lead', 1]].forEach(function (e) {
      server['crm.' + e[0] + '.get'] = function (p) {
        var id = p.id !== undefined ? p.id : p.ID;
        if (id === undefined || id === '') return err(400, 'ERROR_ARGUMENT', 'ID is not defined or invalid.');
        var it = findBy(collectionFor(e[1]), id);
        if (!it) return err(400, 'ERROR_NOT_FOUND', 'Not found');
        return ok(toUpperItem(it));
      };
    });

    function takeFault(method, inBatch) {
      for (var i = 0; i < ctl._faults.length; i++) {
        var f = ctl._faults[i];
        if (f.method === method || f.method === '*') {
          // A storm (`rate`) hits HTTP requests, not the commands inside a batch.
          if (f.rate !== undefined) {
            if (inBatch) continue;
            if (random() >= f.rate) return null;
          }
          f.left--;
          if (f.left <= 0) ctl._faults.splice(i, 1);
          return f;
        }
      }
      return null;
    }

    function faultResponse(f) {
      var code = f.error || (f.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'ERROR');
      return err(f.status || 400, code, f.error_description || f.description || code);
    }

    function execute(method, params, inBatch) {
      var f = takeFault(method, inBatch);
      if (f) return faultResponse(f);
      var custom = ctl._methods[method];
      if (custom) {
        var r = custom(params, ctl);
        if (r && r.status && (r.body || r.error)) return r.body ? r : err(r.status, r.error, r.error_description);
        if (r && own(r, 'result')) return ok(r.result, r.total !== undefined || r.next !== undefined ? { total: r.total, next: r.next } : null);
        return ok(r);
      }
      if (method === 'batch') {
        if (inBatch) return err(405, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage');
        return runBatch(params);
      }
      var h = server[method];
      if (!h) return err(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
      try {
        return h(params || {});
      } catch (e) {
        return err(500, 'INTERNAL_SERVER_ERROR', String(e && e.message || e));
      }
    }

    function lookupPath(obj, path) {
      var cur = obj;
      for (var i = 0; i < path.length; i++) {
        if (!isObj(cur)) return undefined;
        cur = cur[path[i]];
      }
      return cur;
    }

    // `$result[key][a][0]` (also $result_error/$result_total/$result_next) inside decoded parameter values.
    function resolveRefs(value, state) {
      if (isObj(value)) {
        var out = Array.isArray(value) ? [] : {};
        Object.keys(value).forEach(function (k) { out[k] = resolveRefs(value[k], state); });
        return out;
      }
      if (typeof value !== 'string' || value.indexOf('$result') < 0) return value;
      var re = /\$(result_error|result_total|result_next|result)((?:\[[^\]]*\])+)/g;
      var whole = null;
      var replaced = value.replace(re, function (match, kind, brackets) {
        var path = [];
        brackets.replace(/\[([^\]]*)\]/g, function (_, p) { path.push(p); return ''; });
        var v = lookupPath(state[kind], path);
        if (match === value) whole = v;
        if (v === undefined || v === null) return '';
        return isObj(v) ? JSON.stringify(v) : String(v);
      });
      if (whole !== null && whole !== undefined && isObj(whole)) return clone(whole);
      return replaced;
    }

    function runBatch(p) {
      var cmd = p.cmd;
      var halt = p.halt === '1' || p.halt === 'true' || p.halt === 1 || p.halt === true;
      if (!isObj(cmd)) cmd = {};
      var keys = Object.keys(cmd);
      if (keys.length > 50) return err(400, 'ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded');
      var state = { result: {}, result_error: {}, result_total: {}, result_next: {} };
      var res = [], errs = [], totals = [], nexts = [], times = [];
      for (var i = 0; i < keys.length; i++) {
        var key = keys[i];
        var line = String(cmd[key]);
        var q = line.indexOf('?');
        var method = (q < 0 ? line : line.slice(0, q)).trim();
        var params = resolveRefs(parseQuery(q < 0 ? '' : line.slice(q + 1)), state);
        ctl.history.push({ method: method, params: clone(params), batchKey: key });
        var r = execute(method, params, true);
        if (r.body && r.body.error !== undefined) {
          var e = { error: r.body.error, error_description: r.body.error_description || '' };
          state.result_error[key] = e;
          errs.push([key, e]);
          if (halt) break;
          continue;
        }
        state.result[key] = r.body.result;
        res.push([key, r.body.result]);
        if (r.body.total !== undefined) { state.result_total[key] = r.body.total; totals.push([key, r.body.total]); }
        if (r.body.next !== undefined) { state.result_next[key] = r.body.next; nexts.push([key, r.body.next]); }
        var t = clone(r.body.time); delete t.operating; delete t.operating_reset_at;
        times.push([key, t]);
      }
      return ok({
        result: phpMap(res), result_error: phpMap(errs), result_total: phpMap(totals),
        result_next: phpMap(nexts), result_time: phpMap(times)
      });
    }

    // ------------------------------------------------------------ client (library) side

    function AjaxError(status, ex) { this.status = status; this.ex = ex; }
    AjaxError.prototype.getError = function () { return this.ex; };
    AjaxError.prototype.getStatus = function () { return this.status; };
    AjaxError.prototype.toString = function () {
      return this.ex.error + (this.ex.error_description ? ': ' + this.ex.error_description : '') + ' (' + this.status + ')';
    };

    function AjaxResult(answer, query, status) {
      this.answer = answer;
      this.query = { method: query.method, data: clone(query.data), callback: query.callback, start: query.start };
      this.status = status;
      if (this.answer.next !== undefined) this.answer.next = parseInt(this.answer.next, 10);
      if (this.answer.error !== undefined) {
        this.answer.ex = new AjaxError(this.status, typeof this.answer.error === 'string' ? this.answer : this.answer.error);
      }
    }
    AjaxResult.prototype.data = function () { return this.answer.result; };
    AjaxResult.prototype.error = function () { return this.answer.ex; };
    AjaxResult.prototype.error_description = function () { return this.answer.error_description; };
    AjaxResult.prototype.more = function () { return !isNaN(this.answer.next); };
    AjaxResult.prototype.total = function () { return parseInt(this.answer.total, 10); };
    AjaxResult.prototype.time = function () { return this.answer.time; };
    AjaxResult.prototype.next = function (cb) {
      if (this.more()) {
        this.query.start = this.answer.next;
        if (cb) this.query.callback = cb;
        return send(this.query, true);
      }
      return false;
    };

    function matches(table, method) {
      var key = table[method] ? method : (table['*'] ? '*' : null);
      if (key === null) return false;
      var e = table[key];
      if (e.left !== Infinity) { e.left--; if (e.left <= 0) delete table[key]; }
      return true;
    }

    function fakeXhr(method) { return { readyState: 1, method: method, abort: function () {} }; }

    // ---- the portal's REST host: one HTTP request (form body) → done({status, body}), after the
    // latency; done({abort: true}) for a dropped connection, done({never: true}) at once for a request
    // that is never answered. Shared by both transports.
    function serveRequest(method, body, done) {
      var params = parseQuery(body);
      delete params.auth;
      ctl.history.push({ method: method, params: clone(params) });
      if (matches(ctl._never, method)) { done({ never: true }); return; }
      var drop = matches(ctl._drop, method);
      var lose = ctl._lose[method] || ctl._lose['*'];
      if (lose && !matches(ctl._lose, method)) lose = null;
      later(function () {
        if (drop) { done({ abort: true }); return; }
        var r = execute(method, params, false);
        // The portal did the work; its answer is lost on the way (a timeout, a dropped line, a 5xx proxy).
        if (lose) {
          if (lose.kind === 'abort') done({ abort: true });
          else if (lose.kind === 'status') done({ status: lose.status, body: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Bad gateway' } });
          else done({ never: true });
          return;
        }
        done({ status: r.status, body: clone(r.body) });
      }, ctl.latencyMs);
    }

    // ---- the library's answer handling. Returns true when the library would throw 'Query error!'.
    function receive(query, status, answer) {
      if (status >= 500 || status === 0) {
        ctl.queryErrors.push({ method: query.method, status: status, error: answer && answer.error });
        return true;
      }
      if (!isObj(answer)) answer = { error: 'ERROR_UNEXPECTED_ANSWER', error_description: 'not JSON' };
      if (answer.error === 'expired_token') {
        ctl.authRefreshes++;
        send(query, true);
        return false;
      }
      var res = new AjaxResult(answer, query, status);
      if (typeof query.callback === 'function') query.callback.call(W, res);
      return false;
    }

    function requestBody(query) {
      var body = prepareData(query.data || {});
      if (query.start !== undefined && query.start !== null) body += (body ? '&' : '') + 'start=' + encodeURIComponent(query.start);
      return body;
    }

    // One HTTP request. `countIt` = not yet counted by the caller (callMethod); next() and resends count here.
    function send(query, countIt) {
      if (countIt) {
        ctl.requests++;
        ctl.log.push(query.method);
      }
      if (!ctl.inited) { ctl._restQueue.push(query); return fakeXhr(query.method); }
      if (ctl.transport === 'xhr') return sendXhr(query);
      serveRequest(query.method, requestBody(query), function (a) {
        if (a.never) return;
        if (a.abort) { if (receive(query, 0, null)) ctl._raise('Query error!'); return; }
        if (receive(query, a.status, a.body)) ctl._raise('Query error!');
      });
      return fakeXhr(query.method);
    }

    // As the real library: POST https://DOMAIN/rest/METHOD.json, `auth=<token>&…`; the throw happens
    // inside the XHR handler of this (cross-origin) script, so the page sees only "Script error.".
    function sendXhr(query) {
      var xhr = new W.XMLHttpRequest();
      var token = ctl.auth ? ctl.auth.access_token : '';
      var body = 'auth=' + encodeURIComponent(token);
      var rest = requestBody(query);
      if (rest) body += '&' + rest;
      xhr.open('POST', ctl.restBase + query.method + '.json', true);
      xhr.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
      xhr.onload = function () {
        if (!alive()) return;
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
        if (receive(query, xhr.status, answer)) throw 'Query error!'; // eslint-disable-line no-throw-literal
      };
      xhr.onerror = function () {
        if (!alive()) return;
        if (receive(query, 0, null)) throw 'Query error!'; // eslint-disable-line no-throw-literal
      };
      xhr.send(body);
      return xhr;
    }

    function callMethod(method, params, callback) {
      if (typeof params === 'function') { callback = params; params = {}; }
      ctl.requests++;
      ctl.log.push(method);
      if (matches(ctl._throw, method)) throw new Error('fake BX24: callMethod(' + method + ') threw');
      var start;
      if (params && params.start !== undefined) {
        params = Object.assign({}, params);
        start = params.start;
        delete params.start;
      }
      return send({ method: method, data: params || {}, callback: callback, start: start }, false);
    }

    function callBatch(calls, callback, halt) {
      var isArr = Array.isArray(calls);
      var cmd = isArr ? [] : {};
      var list = [];
      var cnt = 0;
      for (var i in calls) {
        if (!own(calls, i) || !calls[i]) continue;
        var method = null, params = null;
        if (Array.isArray(calls[i])) { method = calls[i][0]; params = calls[i][1]; }
        else if (calls[i].method) { method = calls[i].method; params = calls[i].params; }
        if (method) {
          cnt++;
          list.push([i, method, params]);
          cmd[i] = method + '?' + prepareData(params || {});
        }
      }
      if (cnt === 0) return false;
      return callMethod('batch', { halt: halt ? 1 : 0, cmd: cmd }, function (res) {
        var result = isArr ? [] : {};
        var e = res.error();
        var data = res.data() || {};
        var pick = function (m, k) { return isObj(m) ? m[k] : undefined; };
        list.forEach(function (c) {
          var k = c[0];
          var q = { method: c[1], data: c[2], callback: callback };
          var answer;
          if (e) {
            answer = { result: {}, error: clone(e.ex), total: undefined, next: undefined };
          } else {
            var r = pick(data.result, k);
            answer = {
              result: r !== undefined ? r : {},
              error: pick(data.result_error, k),
              total: pick(data.result_total, k),
              next: pick(data.result_next, k),
              time: pick(data.result_time, k)
            };
            if (answer.error === undefined) delete answer.error;
            if (answer.next === undefined) delete answer.next;
          }
          result[k] = new AjaxResult(answer, q, res.status);
        });
        if (typeof callback === 'function') callback.call(W, result);
      });
    }

    // ------------------------------------------------------------ placement interface

    function placementCall(cmd, params, cb) {
      if (typeof params === 'function') { cb = params; params = {}; }
      ctl.calls.push(cmd);
      if (typeof BX[cmd] === 'function') return; // the real library returns without sending anything
      if (!isCallCard) return;                  // outside CALL_CARD the portal never answers
      if (CALL_CARD_COMMANDS.indexOf(cmd) < 0) return; // unknown command: silently ignored
      var mode = ctl._cmdMode[cmd];
      if (mode && mode.kind === 'never') return;
      var answer;
      if (mode && mode.kind === 'error') {
        answer = [{ result: 'error', errorCode: mode.code }];
      } else if (cmd === 'getStatus') {
        answer = clone(ctl.status);
      } else {
        ctl.autoCloseDisabled = cmd === 'disableAutoClose';
        ctl.autoCloseLog.push({ cmd: cmd, at: Date.now() });
        answer = [];
      }
      later(function () { if (typeof cb === 'function') cb(clone(answer)); }, ctl.placementLatencyMs);
    }

    function bindEvent(name, cb) {
      if (!isCallCard || CALL_CARD_EVENTS.indexOf(name) < 0) return; // silently ignored
      if (typeof cb !== 'function') return;
      (ctl.listeners[name] = ctl.listeners[name] || []).push(cb);
    }

    // ------------------------------------------------------------ controller API

    ctl.fire = function (name, arg1, arg2) {
      var list = (ctl.listeners[name] || []).slice();
      var a1 = clone(arg1), a2 = clone(arg2);
      return new Promise(function (resolve) {
        later(function () {
          list.forEach(function (fn) {
            if (ctl.passSecondArg) fn(a1, a2); else fn(a1);
          });
          resolve(list.length);
        }, 0);
      });
    };
    ctl.listenerCount = function (name) { return (ctl.listeners[name] || []).length; };
    ctl.getStatus = function () { return clone(ctl.status); };
    ctl.setStatus = function (partial) {
      Object.keys(partial || {}).forEach(function (k) {
        if (partial[k] === undefined || partial[k] === null) delete ctl.status[k];
        else ctl.status[k] = clone(partial[k]);
      });
      return ctl.getStatus();
    };

    function deriveBindings(type, id) {
      var b = [];
      if (type === 'CONTACT') {
        crm.deals.forEach(function (d) {
          if ((d.contactIds || [d.contactId]).indexOf(id) >= 0) b.push({ ENTITY_TYPE: 'DEAL', ENTITY_ID: d.id });
        });
        var c = findBy(crm.contacts, id);
        if (c && c.companyId) b.push({ ENTITY_TYPE: 'COMPANY', ENTITY_ID: c.companyId });
      } else if (type === 'COMPANY') {
        crm.deals.forEach(function (d) { if (d.companyId === id) b.push({ ENTITY_TYPE: 'DEAL', ENTITY_ID: d.id }); });
      } else if (type === 'DEAL') {
        var d = findBy(crm.deals, id);
        if (d && d.contactId) b.push({ ENTITY_TYPE: 'CONTACT', ENTITY_ID: d.contactId });
        if (d && d.companyId) b.push({ ENTITY_TYPE: 'COMPANY', ENTITY_ID: d.companyId });
      }
      return b;
    }

    // Like "Next" in a call list / the card loading another CRM card.
    ctl.switchClient = function (c) {
      c = c || {};
      var type = c.CRM_ENTITY_TYPE || '';
      var id = toInt(c.CRM_ENTITY_ID) || 0;
      ctl.status.CRM_ENTITY_TYPE = type;
      ctl.status.CRM_ENTITY_ID = id;
      if (c.PHONE_NUMBER === undefined || c.PHONE_NUMBER === null || c.PHONE_NUMBER === 'unknown') delete ctl.status.PHONE_NUMBER;
      else ctl.status.PHONE_NUMBER = String(c.PHONE_NUMBER);
      var bindings = own(c, 'CRM_BINDINGS') ? c.CRM_BINDINGS : deriveBindings(type, id);
      if (bindings === null || (Array.isArray(bindings) && bindings.length === 0)) delete ctl.status.CRM_BINDINGS;
      else ctl.status.CRM_BINDINGS = bindings.map(function (b) { return { ENTITY_TYPE: String(b.ENTITY_TYPE), ENTITY_ID: toInt(b.ENTITY_ID) || 0 }; });
      ['CALL_ID', 'CALL_STATE', 'CALL_DIRECTION', 'CRM_ACTIVITY_ID', 'CALL_LIST_MODE'].forEach(function (k) {
        if (own(c, k)) ctl.setStatus((function () { var o = {}; o[k] = c[k]; return o; })());
      });
      return ctl.fire('CallCard::EntityChanged', {
        PHONE_NUMBER: ctl.status.PHONE_NUMBER === undefined ? 'unknown' : ctl.status.PHONE_NUMBER,
        CRM_ENTITY_TYPE: type,
        CRM_ENTITY_ID: id
      });
    };

    // Fires only when the state actually changes (as the card does); resolves to the number of listeners called.
    ctl.setCallState = function (state, failedCode, force) {
      if (ctl.status.CALL_STATE === state && !force) return Promise.resolve(0);
      ctl.status.CALL_STATE = state;
      var extra = {};
      if (failedCode !== undefined && failedCode !== null) extra.failedCode = String(failedCode);
      return ctl.fire('CallCard::CallStateChanged', state, extra);
    };
    ctl.beforeClose = function () { return ctl.fire('CallCard::BeforeClose'); };

    ctl.neverAnswer = function (cmd) { ctl._cmdMode[cmd] = { kind: 'never' }; };
    ctl.answerError = function (cmd, code) { ctl._cmdMode[cmd] = { kind: 'error', code: code || 'Call card is undefined' }; };
    ctl.errorAnswer = ctl.answerError; // alias (used by tests/boundary.rs)
    ctl.answerNormally = function (cmd) { delete ctl._cmdMode[cmd]; };

    // fault: {status (default 400), error, error_description, times (default 1; Infinity = always)}
    ctl.failNext = function (method, fault) {
      fault = fault || {};
      ctl._faults.push({
        method: method, status: fault.status || 400, error: fault.error,
        error_description: fault.error_description, left: fault.times === undefined ? 1 : fault.times,
        rate: fault.rate
      });
    };
    // A storm: `rate` (0..1) of the HTTP requests to `method` ('*' = all) fail with `fault`
    // (default 503 QUERY_LIMIT_EXCEEDED), drawn from the seeded generator, until clearFaults().
    ctl.storm = function (rate, fault, method) {
      fault = fault || {};
      ctl.failNext(method || '*', {
        status: fault.status || 503, error: fault.error || 'QUERY_LIMIT_EXCEEDED',
        error_description: fault.error_description, times: Infinity, rate: rate
      });
    };
    // The connection drops (xhr transport: the route aborts the request; local: like a 5xx).
    ctl.dropNext = function (method, times) { ctl._drop[method] = { left: times === undefined ? 1 : times }; };
    // The request is carried out but its answer never arrives (kind 'never', default), the line drops
    // after it ('abort') or a proxy answers 5xx ('status', with `status`): an outcome the app cannot know.
    ctl.loseAnswer = function (method, times, kind, status) {
      ctl._lose[method] = { left: times === undefined ? 1 : times, kind: kind || 'never', status: status || 504 };
    };
    ctl.neverAnswerMethod = function (method, times) { ctl._never[method] = { left: times === undefined ? Infinity : times }; };
    ctl.throwOnCall = function (method, times) { ctl._throw[method] = { left: times === undefined ? Infinity : times }; };
    ctl.clearFaults = function () { ctl._faults = []; ctl._never = {}; ctl._drop = {}; ctl._lose = {}; ctl._throw = {}; ctl._cmdMode = {}; };
    // Custom/overriding REST method: fn(params, ctl) → {result, total?, next?} | plain result | {status, error, error_description}
    ctl.setMethod = function (name, fn) { ctl._methods[name] = fn; };

    ctl.hold = function () { if (!ctl._held) ctl._held = []; };
    ctl.release = function () {
      var q = ctl._held || [];
      ctl._held = null;
      q.forEach(function (fn) { ctl._pending--; fn(); });
    };
    Object.defineProperty(ctl, 'pending', { get: function () { return ctl._pending; } });

    ctl.resetCounters = function () {
      ctl.requests = 0; ctl.log = []; ctl.history = []; ctl.calls = []; ctl.autoCloseLog = []; ctl.fitWindowCalls = 0;
      ctl.resizes = []; ctl.openedPaths = []; ctl.queryErrors = []; ctl.authRefreshes = 0;
    };
    ctl.closeSlider = function () {
      var s = ctl._sliders; ctl._sliders = [];
      s.forEach(function (cb) { later(function () { cb({ result: 'close' }); }, 0); });
    };

    function completeInit() {
      if (ctl.inited || !alive()) return;
      ctl.inited = true;
      ctl.auth = {
        access_token: 'FAKE-SECRET-TOKEN-123', refresh_token: 'FAKE-REFRESH-TOKEN-456',
        expires_in: Date.now() + 3600 * 1000, domain: DOMAIN, member_id: 'fakememberid0123456789'
      };
      var q = ctl._initQueue; ctl._initQueue = [];
      q.forEach(function (fn) { try { fn(); } catch (e) { ctl._raise(e); } });
      var r = ctl._restQueue; ctl._restQueue = [];
      r.forEach(function (query) { send(query, false); });
    }
    ctl.completeInit = completeInit;

    // ------------------------------------------------------------ BX24 object

    var BX = {
      init: function (cb) {
        if (typeof cb !== 'function') return;
        if (ctl.inited) later(cb, 10);
        else ctl._initQueue.push(cb);
      },
      ready: function (cb) {
        if (typeof cb !== 'function') return;
        var d = G.document;
        if (!d || d.readyState !== 'loading') later(cb, 0);
        else d.addEventListener('DOMContentLoaded', function () { if (alive()) cb(); });
      },
      install: function (cb) { ctl.installHandler = cb; },
      installFinish: function () { ctl.installFinished = true; },
      isAdmin: function () { return ctl.admin; },
      getLang: function () { return ctl.lang; },
      getDomain: function () { return DOMAIN; },
      getAuth: function () {
        if (!ctl.inited || !ctl.auth || ctl.auth.expires_in < Date.now()) return false;
        return clone(ctl.auth);
      },
      refreshAuth: function (cb) {
        ctl.authRefreshes++;
        later(function () { if (typeof cb === 'function') cb(BX.getAuth()); }, ctl.placementLatencyMs);
      },
      callMethod: callMethod,
      callBatch: callBatch,
      callBind: function (event, handler, authType, cb) { return callMethod('event.bind', { event: event, handler: handler, auth_type: authType }, cb); },
      callUnbind: function (event, handler, authType, cb) { return callMethod('event.unbind', { event: event, handler: handler, auth_type: authType }, cb); },
      getScrollSize: function () {
        var d = G.document && G.document.documentElement;
        if (!d) return { scrollWidth: 0, scrollHeight: 0 };
        return { scrollWidth: Math.max(d.scrollWidth, d.offsetWidth), scrollHeight: Math.max(d.scrollHeight, d.offsetHeight) };
      },
      fitWindow: function (cb) {
        ctl.fitWindowCalls++;
        var h = BX.getScrollSize().scrollHeight;
        ctl.resizes.push({ width: '100%', height: h });
        later(function () { if (typeof cb === 'function') cb({ width: '100%', height: h }); }, ctl.placementLatencyMs);
      },
      resizeWindow: function (w, h, cb) {
        w = parseInt(w, 10); h = parseInt(h, 10);
        if (!(w > 0 && h > 0)) return;
        ctl.resizes.push({ width: w, height: h });
        later(function () { if (typeof cb === 'function') cb({ width: w, height: h }); }, ctl.placementLatencyMs);
      },
      setTitle: function (title, cb) {
        ctl.titles.push(String(title));
        later(function () { if (typeof cb === 'function') cb(); }, ctl.placementLatencyMs);
      },
      reloadWindow: function () { ctl.reloads++; },
      scrollParentWindow: function () {},
      closeApplication: function () { ctl.closedApplication = true; },
      openApplication: function () {},
      // The slider callback fires when the slider closes (ctl.closeSlider()).
      openPath: function (path, cb) {
        ctl.openedPaths.push(path);
        if (typeof cb === 'function') ctl._sliders.push(cb);
      },
      userOption: {
        get: function (name) { return ctl.userOptions[name]; },
        set: function (name, value, cb) {
          ctl.userOptions[name] = value;
          later(function () { if (typeof cb === 'function') cb(); }, ctl.placementLatencyMs);
        }
      },
      appOption: {
        get: function (name) { return ctl.appOptions[name]; },
        set: function (name, value, cb) {
          if (!ctl.admin) return;
          ctl.appOptions[name] = value;
          later(function () { if (typeof cb === 'function') cb(); }, ctl.placementLatencyMs);
        }
      },
      placement: {
        info: function () { return { placement: placement, options: clone(options) }; },
        getInterface: function (cb) {
          var iface = isCallCard ? { command: CALL_CARD_COMMANDS.slice(), event: CALL_CARD_EVENTS.slice() } : { command: [], event: [] };
          later(function () { if (typeof cb === 'function') cb(iface); }, ctl.placementLatencyMs);
        },
        call: placementCall,
        bindEvent: bindEvent
      },
      util: { prepareData: prepareData }
    };

    ctl.bx24 = BX;
    ctl._parseQuery = parseQuery;
    ctl._prepareData = prepareData;
    W.BX24 = BX;
    W.__fakeBx24 = ctl;
    // The REST host's entry point (xhr transport): tests/e2e/portal.mjs answers the route with it.
    W.__fakeBx24Serve = function (method, body) {
      return new Promise(function (resolve) {
        if (!alive()) { resolve({ abort: true }); return; }
        serveRequest(String(method), String(body || ''), resolve);
      });
    };

    if (!opts.neverInit) {
      setTimeout(function () { completeInit(); }, opts.initDelayMs || 0);
    }
    return ctl;
  }

  G.__fakeBx24Install = install;
  G.__fakeBx24Defaults = function () {
    var st = defaultStatus();
    return { crm: defaultCrm(), status: st, options: optionsFromStatus(st) };
  };
})();
// (module shim for wasm-bindgen-test is added by the Rust test via inline_js; nothing here)
