//! The demo build of the card (feature `demo`): loaded by the Bitrix24 build when it runs
//! outside Bitrix24 (see `portal::start`), or when the portal library fails to start.

#[cfg(target_arch = "wasm32")]
fn main() {
    callcard::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("callcard_demo is a WebAssembly app, built by trunk.");
}
