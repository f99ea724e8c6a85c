// Page objects for the card's blocks: one small class a block, wrapping its `data-testid` locators
// (the hooks in src/call/, src/client/, src/history/view.rs, src/campaign/view.rs,
// src/wrapup/view.rs, src/demo/controls.rs, src/ui/error_banner.rs) and the block's common actions.
// `root` is what the locators start from: the `page` on the demo portal, or `bed.app` (a frame
// locator) inside the fake portal (tests/e2e/portal.mjs); both have `getByTestId` and `locator`.
// The assertions stay in the specs.

/** The block's locators start from `root`. */
class Block {
  constructor(root) {
    this.root = root;
  }

  /** The element with `data-testid=id` in `root`. */
  id(id) {
    return this.root.getByTestId(id);
  }
}

/** The call header: state, direction, number, timer and the failure reason. */
export class CallHeader extends Block {
  get state() { return this.id('call-state'); }
  get direction() { return this.id('call-direction'); }
  get phone() { return this.id('call-phone'); }
  get timer() { return this.id('call-timer'); }
  get failure() { return this.id('call-failure'); }
}

/** The client card: who is on the line. */
export class ClientCard extends Block {
  get card() { return this.id('client'); }
  get name() { return this.id('client-name'); }
  get type() { return this.id('client-type'); }
  get responsible() { return this.id('client-responsible'); }
}

/** The client's bindings (deals, leads, companies). */
export class Bindings extends Block {
  get items() { return this.id('binding'); }
  get stages() { return this.id('binding-stage'); }
  get amounts() { return this.id('binding-amount'); }
  get empty() { return this.id('bindings-empty'); }
  /** The binding of one CRM item, `key` as `TYPE:id` (`DEAL:4615`). */
  item(key) { return this.root.locator(`[data-testid=binding][data-entity='${key}']`); }
}

/** At a glance: the last contact and the last call. */
export class Glance extends Block {
  get lastContact() { return this.id('last-contact'); }
  get tasks() { return this.id('last-contact-tasks'); }
  get lastCall() { return this.id('last-call'); }
  get lastCallAgo() { return this.id('last-call-ago'); }
  get lastCallBy() { return this.id('last-call-by'); }
}

/** The client's history. */
export class History extends Block {
  get block() { return this.id('history'); }
  get items() { return this.id('history-item'); }
  get all() { return this.id('history-all'); }
  get more() { return this.id('history-more'); }
  async showAll() { await this.all.click(); }
  async showMore() { await this.more.click(); }
}

/** The campaign block (call lists, the list picker and its progress). */
export class Campaign extends Block {
  get block() { return this.id('campaign'); }
  get listsLoad() { return this.id('campaign-lists-load'); }
  get lists() { return this.id('campaign-lists'); }
  get listRows() { return this.id('campaign-list'); }
  get note() { return this.id('campaign-note'); }
  get picker() { return this.id('campaign-picker'); }
  get progress() { return this.id('campaign-progress'); }
  get change() { return this.id('campaign-change'); }
  get error() { return this.id('campaign-error'); }
  get retry() { return this.id('campaign-retry'); }
  get reading() { return this.id('campaign-reading'); }
  /** The row of call list `list` (its id). */
  list(list) { return this.root.locator(`[data-testid=campaign-list][data-list="${list}"]`); }
  /** The add/remove buttons of the list rows. */
  get rowActions() { return this.root.locator('[data-testid=campaign-list] [data-action]'); }
  /** One status's figure (`IN_WORK`, `SUCCESS`, …). */
  status(code) { return this.root.locator(`[data-testid=campaign-status][data-status=${code}]`); }
  /** The progress's `data-done` as a number. */
  async done() { return Number(await this.progress.getAttribute('data-done')); }
}

/** The wrap-up panel after a call. */
export class WrapUp extends Block {
  get panel() { return this.id('wrapup'); }
  get open() { return this.id('wrapup-open'); }
  get note() { return this.id('wrapup-note'); }
  get results() { return this.id('wrapup-result'); }
  get callbacks() { return this.id('wrapup-callback'); }
  get save() { return this.id('wrapup-save'); }
  get status() { return this.id('wrapup-status'); }
  get keepOpen() { return this.id('keep-open'); }
  /** The result button `name` (`reached`, `call-back`, …). */
  result(name) { return this.root.locator(`[data-testid=wrapup-result][data-result=${name}]`); }
  /** The callback choice `when` (`none`, `1h`, `tomorrow`, `3d`, `at`). */
  callback(when) { return this.root.locator(`[data-testid=wrapup-callback] [data-callback="${when}"]`); }
  async chooseResult(name) { await this.result(name).click(); }
  async chooseCallback(when) { await this.callback(when).click(); }
}

/** The demo portal's panel: the call's controls and the request counter. */
export class DemoPanel extends Block {
  get banner() { return this.id('demo-banner'); }
  get requestCount() { return this.id('demo-request-count'); }
  get answerButton() { return this.id('demo-answer'); }
  get hangupButton() { return this.id('demo-hangup'); }
  get switchButton() { return this.id('demo-switch-client'); }
  get nextButton() { return this.id('demo-next'); }
  get redialButton() { return this.id('demo-redial'); }
  get autoclose() { return this.id('demo-autoclose'); }
  get cardClosed() { return this.id('demo-card-closed'); }
  /** The requests the app has made so far. */
  async requests() { return Number(await this.requestCount.innerText()); }
  async answer() { await this.answerButton.click(); }
  async hangup() { await this.hangupButton.click(); }
  async switchClient() { await this.switchButton.click(); }
  async redial() { await this.redialButton.click(); }
}

/** The error banner and its Retry. */
export class ErrorBanner extends Block {
  get banner() { return this.id('error-banner'); }
  get retry() { return this.banner.getByRole('button'); }
}

/** Every block of the card, from one root. */
export function blocks(root) {
  return {
    call: new CallHeader(root),
    client: new ClientCard(root),
    bindings: new Bindings(root),
    glance: new Glance(root),
    history: new History(root),
    campaign: new Campaign(root),
    wrapup: new WrapUp(root),
    demo: new DemoPanel(root),
    error: new ErrorBanner(root),
  };
}
