//! The demo portal's simulation, as a Web Worker (built by Trunk as `data-type="worker"`).

#[cfg(target_arch = "wasm32")]
fn main() {
    callcard::frame::demo_link::run_worker();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("demo_worker is a WebAssembly worker, built by trunk.");
}
