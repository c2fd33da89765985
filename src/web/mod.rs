//! The browser edge: fetch, clock, randomness, credentials and the `#[wasm_bindgen]` exports.
