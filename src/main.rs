//! Entry point: mount the app (wasm) — on the host there is nothing to run.

#[cfg(target_arch = "wasm32")]
fn main() {
    callcard::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("callcard is a WebAssembly app: run `bash scripts/dev.sh` (trunk serve) instead.");
}
