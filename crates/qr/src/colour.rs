//! CSS hex colours and the WCAG 2 contrast ratio between two of them: the guard that keeps a
//! branded code readable by a phone camera (and by people).

/// An sRGB colour, 8 bits a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub const BLACK: Rgb = Rgb(0, 0, 0);
    pub const WHITE: Rgb = Rgb(255, 255, 255);

    /// `#rgb` or `#rrggbb` (either case); anything else is `None`.
    pub fn parse(css: &str) -> Option<Rgb> {
        let hex = css.strip_prefix('#')?.as_bytes();
        let digit = |i: usize| (hex[i] as char).to_digit(16).map(|d| d as u8);
        if !hex.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        match hex.len() {
            3 => Some(Rgb(digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
            6 => {
                let byte = |i: usize| Some(digit(i)? * 16 + digit(i + 1)?);
                Some(Rgb(byte(0)?, byte(2)?, byte(4)?))
            }
            _ => None,
        }
    }

    /// `#rrggbb`, lower case.
    pub fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG 2 relative luminance, 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| f64::from(LINEAR[usize::from(c)]);
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// The channels as 0..1, for PDF.
    pub fn unit(self) -> [f32; 3] {
        [self.0, self.1, self.2].map(|c| f32::from(c) / 255.0)
    }
}

/// sRGB channel values linearised as WCAG 2 defines it (c / 12.92 up to 0.04045, else
/// ((c + 0.055) / 1.055)^2.4): a table, because `powf` would add its code to the browser module.
/// A test checks every entry against the formula.
#[rustfmt::skip]
#[allow(clippy::excessive_precision)] // printed from f64 at 8 significant digits
static LINEAR: [f32; 256] = [
    0.0, 3.0352698e-4, 6.0705397e-4, 9.1058095e-4, 1.2141079e-3, 1.5176349e-3, 1.8211619e-3, 2.1246889e-3,
    2.4282159e-3, 2.7317429e-3, 3.0352698e-3, 3.3465358e-3, 3.6765073e-3, 4.0247170e-3, 4.3914420e-3, 4.7769535e-3,
    5.1815167e-3, 5.6053916e-3, 6.0488330e-3, 6.5120908e-3, 6.9954102e-3, 7.4990320e-3, 8.0231930e-3, 8.5681256e-3,
    9.1340587e-3, 9.7212173e-3, 1.0329823e-2, 1.0960094e-2, 1.1612245e-2, 1.2286488e-2, 1.2983032e-2, 1.3702083e-2,
    1.4443844e-2, 1.5208514e-2, 1.5996293e-2, 1.6807376e-2, 1.7641954e-2, 1.8500220e-2, 1.9382361e-2, 2.0288563e-2,
    2.1219010e-2, 2.2173885e-2, 2.3153366e-2, 2.4157632e-2, 2.5186860e-2, 2.6241222e-2, 2.7320892e-2, 2.8426040e-2,
    2.9556834e-2, 3.0713444e-2, 3.1896033e-2, 3.3104767e-2, 3.4339807e-2, 3.5601315e-2, 3.6889450e-2, 3.8204372e-2,
    3.9546235e-2, 4.0915197e-2, 4.2311411e-2, 4.3735029e-2, 4.5186204e-2, 4.6665086e-2, 4.8171824e-2, 4.9706566e-2,
    5.1269458e-2, 5.2860647e-2, 5.4480276e-2, 5.6128490e-2, 5.7805430e-2, 5.9511238e-2, 6.1246054e-2, 6.3010018e-2,
    6.4803267e-2, 6.6625939e-2, 6.8478170e-2, 7.0360096e-2, 7.2271851e-2, 7.4213568e-2, 7.6185381e-2, 7.8187422e-2,
    8.0219820e-2, 8.2282707e-2, 8.4376212e-2, 8.6500462e-2, 8.8655586e-2, 9.0841711e-2, 9.3058963e-2, 9.5307467e-2,
    9.7587347e-2, 9.9898728e-2, 1.0224173e-1, 1.0461648e-1, 1.0702310e-1, 1.0946171e-1, 1.1193243e-1, 1.1443537e-1,
    1.1697067e-1, 1.1953843e-1, 1.2213877e-1, 1.2477182e-1, 1.2743768e-1, 1.3013648e-1, 1.3286832e-1, 1.3563333e-1,
    1.3843162e-1, 1.4126329e-1, 1.4412847e-1, 1.4702727e-1, 1.4995979e-1, 1.5292615e-1, 1.5592646e-1, 1.5896084e-1,
    1.6202938e-1, 1.6513219e-1, 1.6826940e-1, 1.7144110e-1, 1.7464740e-1, 1.7788842e-1, 1.8116424e-1, 1.8447499e-1,
    1.8782077e-1, 1.9120168e-1, 1.9461783e-1, 1.9806932e-1, 2.0155625e-1, 2.0507874e-1, 2.0863687e-1, 2.1223076e-1,
    2.1586050e-1, 2.1952620e-1, 2.2322796e-1, 2.2696587e-1, 2.3074005e-1, 2.3455058e-1, 2.3839757e-1, 2.4228112e-1,
    2.4620133e-1, 2.5015828e-1, 2.5415209e-1, 2.5818285e-1, 2.6225066e-1, 2.6635560e-1, 2.7049779e-1, 2.7467731e-1,
    2.7889426e-1, 2.8314874e-1, 2.8744084e-1, 2.9177065e-1, 2.9613827e-1, 3.0054379e-1, 3.0498731e-1, 3.0946892e-1,
    3.1398871e-1, 3.1854678e-1, 3.2314321e-1, 3.2777810e-1, 3.3245154e-1, 3.3716362e-1, 3.4191442e-1, 3.4670406e-1,
    3.5153260e-1, 3.5640014e-1, 3.6130678e-1, 3.6625260e-1, 3.7123768e-1, 3.7626212e-1, 3.8132601e-1, 3.8642943e-1,
    3.9157248e-1, 3.9675523e-1, 4.0197778e-1, 4.0724021e-1, 4.1254261e-1, 4.1788507e-1, 4.2326767e-1, 4.2869050e-1,
    4.3415364e-1, 4.3965717e-1, 4.4520119e-1, 4.5078578e-1, 4.5641102e-1, 4.6207700e-1, 4.6778380e-1, 4.7353150e-1,
    4.7932018e-1, 4.8514994e-1, 4.9102085e-1, 4.9693300e-1, 5.0288646e-1, 5.0888132e-1, 5.1491767e-1, 5.2099557e-1,
    5.2711513e-1, 5.3327640e-1, 5.3947949e-1, 5.4572446e-1, 5.5201140e-1, 5.5834039e-1, 5.6471151e-1, 5.7112483e-1,
    5.7758044e-1, 5.8407842e-1, 5.9061884e-1, 5.9720179e-1, 6.0382734e-1, 6.1049557e-1, 6.1720656e-1, 6.2396039e-1,
    6.3075714e-1, 6.3759687e-1, 6.4447968e-1, 6.5140564e-1, 6.5837482e-1, 6.6538730e-1, 6.7244316e-1, 6.7954247e-1,
    6.8668531e-1, 6.9387176e-1, 7.0110189e-1, 7.0837578e-1, 7.1569350e-1, 7.2305513e-1, 7.3046074e-1, 7.3791041e-1,
    7.4540421e-1, 7.5294222e-1, 7.6052450e-1, 7.6815115e-1, 7.7582222e-1, 7.8353779e-1, 7.9129794e-1, 7.9910274e-1,
    8.0695226e-1, 8.1484657e-1, 8.2278575e-1, 8.3076988e-1, 8.3879901e-1, 8.4687323e-1, 8.5499261e-1, 8.6315721e-1,
    8.7136712e-1, 8.7962240e-1, 8.8792312e-1, 8.9626935e-1, 9.0466117e-1, 9.1309865e-1, 9.2158186e-1, 9.3011086e-1,
    9.3868573e-1, 9.4730654e-1, 9.5597335e-1, 9.6468625e-1, 9.7344529e-1, 9.8225055e-1, 9.9110210e-1, 1.0000000,
];

/// WCAG 2 contrast ratio, 1:1 to 21:1 (the order of the two does not matter).
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_the_wcag_formula() {
        for (i, &v) in LINEAR.iter().enumerate() {
            let c = i as f64 / 255.0;
            let exact = if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            };
            assert!((f64::from(v) - exact).abs() < 1e-7, "{i}");
        }
    }

    #[test]
    fn parses_css_hex_and_measures_contrast() {
        assert_eq!(Rgb::parse("#fff"), Some(Rgb::WHITE));
        assert_eq!(Rgb::parse("#1A2b3C"), Some(Rgb(0x1a, 0x2b, 0x3c)));
        for bad in [
            "fff",
            "#ffff",
            "#gggggg",
            "#12345",
            "red",
            "#",
            "#ffffff00",
            "#ÿÿÿ",
        ] {
            assert_eq!(Rgb::parse(bad), None, "{bad}");
        }
        assert!((contrast(Rgb::BLACK, Rgb::WHITE) - 21.0).abs() < 1e-9);
        assert!((contrast(Rgb::WHITE, Rgb::WHITE) - 1.0).abs() < 1e-9);
        // #767676 on white is the classic 4.54:1 grey.
        let grey = contrast(Rgb::parse("#767676").unwrap(), Rgb::WHITE);
        assert!((4.5..4.6).contains(&grey), "{grey}");
        assert_eq!(Rgb(0x0a, 0xbc, 0xff).css(), "#0abcff");
    }
}
