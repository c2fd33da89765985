//! The local QR renderers' inputs, and `renderQrSvg` (feature `qr`, its own module in the
//! package): the deep link as a styled SVG, for showing or downloading a code without the
//! service's image. Drawn by `cams-qr`, the encoder the emulator's images come from too. The PNG
//! and PDF exports (feature `export`, [`crate::web::export`]) read their inputs here as well.

use cams_protocol::error::CamsError;
use cams_qr::{Level, Logo, QrError, QrOptions, Shape};
use wasm_bindgen::prelude::*;

#[cfg(feature = "qr")]
use crate::web::error::WebError;

#[wasm_bindgen(typescript_custom_section)]
const TS_QR_OPTIONS: &'static str = r##"
/** How a QR code is drawn. Every option is optional; unknown names are refused. */
export interface QrOptions {
  /** Error-correction level (default "M"); a logo makes it "H". */
  ecLevel?: "L" | "M" | "Q" | "H";
  /** Quiet zone in modules (default 4; below 2 only with allowSmallMargin). */
  margin?: number;
  allowSmallMargin?: boolean;
  /** CSS hex colour of the dark modules, "#rgb" or "#rrggbb" (default "#000000"). */
  foreground?: string;
  /** CSS hex colour of the light modules (default "#ffffff"). At least 4.5:1 contrast. */
  background?: string;
  /** Allows a light-on-dark code, which some scanners cannot read. */
  allowInverted?: boolean;
  /** A base64 data: URL or the file's bytes: PNG, JPEG, GIF, WebP or SVG for renderQrSvg; PNG
   *  for renderQrPng and renderQrPdf (convert a JPEG with a canvas first). At most 1 MiB. */
  logo?: string | Uint8Array;
  /** The logo's side as a share of the symbol's (default 0.2, at most 0.25). */
  logoSize?: number;
  /** A call to action under the code, at most 30 characters. */
  frameText?: string;
  /** Default "square"; finder, timing and alignment patterns stay square. */
  moduleShape?: "square" | "rounded" | "dots";
  /** PNG: width in pixels, 64 to 8192 (default 1024); modules are whole pixels. */
  sizePx?: number;
  /** PNG: resolution recorded in the file, 72 to 2400 (default 300). */
  dpi?: number;
  /** PDF: printed width in millimetres, quiet zone included, 20 to 1000 (default 30). */
  sizeMm?: number;
}
"##;

/// The text and the options as `cams-qr` takes them; anything else is an `InvalidParameter`.
pub(crate) fn read_input(
    text: JsValue,
    options: JsValue,
) -> Result<(String, QrOptions), CamsError> {
    let text = text
        .as_string()
        .ok_or_else(|| CamsError::invalid_parameter("text", "text must be a string."))?;
    if options.is_undefined() || options.is_null() {
        return Ok((text, QrOptions::default()));
    }
    if !options.is_object() || js_sys::Array::is_array(&options) {
        return Err(CamsError::invalid_parameter(
            "options",
            "options must be an object, such as { foreground: \"#1b2a6b\" }.",
        ));
    }
    let mut o = QrOptions::default();
    // Read by hand rather than through serde-wasm-bindgen: a third of this module's size less,
    // and unknown names (which serde-wasm-bindgen would skip) refused.
    for entry in js_sys::Object::entries(options.unchecked_ref::<js_sys::Object>()).iter() {
        let entry: js_sys::Array = entry.unchecked_into();
        let name = entry.get(0).as_string().unwrap_or_default();
        let value = entry.get(1);
        cams_qr::options::check_name(&name).map_err(qr_error)?;
        if value.is_undefined() || value.is_null() {
            continue;
        }
        let field = Field(&name, &value);
        match name.as_str() {
            "ecLevel" => {
                o.ec_level = Some(
                    [Level::L, Level::M, Level::Q, Level::H][field
                        .one_of(&["L", "M", "Q", "H"], "one of \"L\", \"M\", \"Q\", \"H\"")?],
                )
            }
            "margin" => o.margin = Some(field.whole()?),
            "allowSmallMargin" => o.allow_small_margin = field.boolean()?,
            "foreground" => o.foreground = Some(field.string()?),
            "background" => o.background = Some(field.string()?),
            "allowInverted" => o.allow_inverted = field.boolean()?,
            "logo" => o.logo = Some(field.logo()?),
            "logoSize" => o.logo_size = Some(field.number()?),
            "frameText" => o.frame_text = Some(field.string()?),
            "moduleShape" => {
                o.module_shape = Some(
                    [Shape::Square, Shape::Rounded, Shape::Dots][field.one_of(
                        &["square", "rounded", "dots"],
                        "one of \"square\", \"rounded\", \"dots\"",
                    )?],
                )
            }
            "sizePx" => o.size_px = Some(field.whole()?),
            "dpi" => o.dpi = Some(field.whole()?),
            _ => o.size_mm = Some(field.number()?), // "sizeMm", the last known name
        }
    }
    Ok((text, o))
}

/// One option's name and value, read as the type it must have.
struct Field<'a>(&'a str, &'a JsValue);

impl Field<'_> {
    fn wrong(&self, what: &str) -> CamsError {
        CamsError::invalid_parameter(
            &format!("options.{}", self.0),
            format!("{} must be {what}.", self.0),
        )
    }

    fn string(&self) -> Result<String, CamsError> {
        self.1.as_string().ok_or_else(|| self.wrong("a string"))
    }

    fn boolean(&self) -> Result<bool, CamsError> {
        self.1.as_bool().ok_or_else(|| self.wrong("true or false"))
    }

    fn number(&self) -> Result<f64, CamsError> {
        self.1.as_f64().ok_or_else(|| self.wrong("a number"))
    }

    fn whole(&self) -> Result<u32, CamsError> {
        let v = self
            .1
            .as_f64()
            .ok_or_else(|| self.wrong("a whole number"))?;
        if v.fract() != 0.0 || !(0.0..=f64::from(u32::MAX)).contains(&v) {
            return Err(self.wrong("a whole number"));
        }
        Ok(v as u32)
    }

    /// Which of `names` the value is (its index), or an error listing them (`listed`).
    fn one_of(&self, names: &[&str], listed: &str) -> Result<usize, CamsError> {
        let v = self.1.as_string().unwrap_or_default();
        names
            .iter()
            .position(|n| *n == v)
            .ok_or_else(|| self.wrong(listed))
    }

    fn logo(&self) -> Result<Logo, CamsError> {
        if let Some(url) = self.1.as_string() {
            return Ok(Logo::DataUrl(url));
        }
        let bytes = self
            .1
            .dyn_ref::<js_sys::Uint8Array>()
            .ok_or_else(|| self.wrong("a data: URL string or a Uint8Array"))?;
        logo_bytes(bytes)
    }
}

/// Bytes as the renderers take them: as they are where `cams-qr` decodes them (the exports).
#[cfg(feature = "export")]
fn logo_bytes(bytes: &js_sys::Uint8Array) -> Result<Logo, CamsError> {
    Ok(Logo::Bytes(bytes.to_vec()))
}

/// Bytes as the SVG module takes them: a data: URL made by the browser's own `btoa` (the SVG
/// needs nothing else, and a base64 encoder would cost the module kilobytes).
#[cfg(not(feature = "export"))]
fn logo_bytes(bytes: &js_sys::Uint8Array) -> Result<Logo, CamsError> {
    if bytes.length() as usize > cams_qr::logo::MAX_LOGO_BYTES {
        return Err(qr_error(cams_qr::logo::too_large()));
    }
    let bytes = bytes.to_vec();
    let mime = cams_qr::logo::sniff(&bytes).ok_or_else(|| {
        CamsError::invalid_parameter(
            "options.logo",
            "The logo must be a PNG, JPEG, GIF, WebP or SVG image.",
        )
    })?;
    // A binary string: one character (U+0000 to U+00FF) a byte, as btoa takes it.
    let binary: String = bytes.into_iter().map(char::from).collect();
    Ok(Logo::DataUrl(format!(
        "data:{mime};base64,{}",
        btoa(&binary)
    )))
}

#[cfg(not(feature = "export"))]
#[wasm_bindgen]
extern "C" {
    /// The global `btoa` (browsers, workers, Node 16+).
    fn btoa(binary: &str) -> String;
}

/// A renderer's refusal as the module's typed error.
pub(crate) fn qr_error(e: QrError) -> CamsError {
    CamsError::invalid_parameter(e.field(), e.to_string())
}

/// An SVG of the QR code for `text` (a deep link such as `https://wa.me/message/<CODE>`),
/// styled by `options`, rendered here without any network call. Too long or empty text, or an
/// option a guard refuses (low contrast, an inverted code, a logo too large, unknown options),
/// throws a `CamsError` with code `InvalidParameter` naming the option.
#[cfg(feature = "qr")]
#[wasm_bindgen(js_name = renderQrSvg)]
pub fn render_qr_svg(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "QrOptions")] options: JsValue,
) -> Result<String, JsValue> {
    read_input(text, options)
        .and_then(|(text, options)| cams_qr::render_svg_with(&text, &options).map_err(qr_error))
        .map_err(|e| WebError::from(e).into())
}
