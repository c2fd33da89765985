//! PNG files (ISO/IEC 15948): the chunks around a zlib stream from `miniz_oxide`, with CRCs from
//! the `crc` crate. Not the `png` crate: its `crc32fast` links a 16 KiB slice-by-16 table and it
//! links a second compressor (`fdeflate`), together about 25 KB of the browser's export module
//! (BENCHMARKS.md). The tests decode every file this writes with the `png` crate.

use crc::{Crc, CRC_32_ISO_HDLC};

/// PNG's CRC-32 (the one zlib and Ethernet use), with crc's 1 KiB table.
const CRC32: Crc<u32> = Crc::<u32>::new(&CRC_32_ISO_HDLC);

const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// The pixel formats written here: 8 bits a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colour {
    Grey,
    Rgb,
}

impl Colour {
    fn channels(self) -> usize {
        match self {
            Colour::Grey => 1,
            Colour::Rgb => 3,
        }
    }

    /// IHDR's colour type.
    fn code(self) -> u8 {
        match self {
            Colour::Grey => 0,
            Colour::Rgb => 2,
        }
    }
}

/// A PNG of `width` × `height` pixels, rows top to bottom in `pixels` (`colour`'s channels each),
/// with the resolution in a pHYs chunk when `dpi` is given. `pixels` holds exactly the image.
pub fn encode(
    width: usize,
    height: usize,
    colour: Colour,
    pixels: &[u8],
    dpi: Option<u32>,
) -> Vec<u8> {
    let row = width * colour.channels();
    debug_assert_eq!(pixels.len(), row * height);
    // Every row starts with its filter type: Up (2) for a row the same as the one above (a
    // module is many rows tall), which leaves zeros, Sub (1) for the others, which leaves zeros
    // along each run of one colour. Deflate then codes the zeros as short, cheap matches.
    let channels = colour.channels();
    let mut raw = Vec::with_capacity((row + 1) * height);
    let mut above: &[u8] = &[];
    for line in pixels.chunks_exact(row.max(1)).take(height) {
        if line == above {
            raw.push(2);
            raw.resize(raw.len() + row, 0);
        } else {
            raw.push(1);
            raw.extend_from_slice(&line[..channels.min(row)]);
            raw.extend(
                line.iter()
                    .skip(channels)
                    .zip(line)
                    .map(|(x, left)| x.wrapping_sub(*left)),
            );
        }
        above = line;
    }
    let idat = miniz_oxide::deflate::compress_to_vec_zlib(&raw, 6);

    let mut out = Vec::with_capacity(idat.len() + 80);
    out.extend_from_slice(SIGNATURE);
    let mut ihdr = [0u8; 13];
    ihdr[..4].copy_from_slice(&dimension(width));
    ihdr[4..8].copy_from_slice(&dimension(height));
    ihdr[8] = 8; // bits per channel
    ihdr[9] = colour.code(); // then deflate, per-row filters, no interlace: all 0
    chunk(&mut out, b"IHDR", &ihdr);
    if let Some(dpi) = dpi {
        // Pixels per metre, in both directions; unit 1 is the metre.
        let ppm = ((f64::from(dpi) / 0.0254).round() as u32).to_be_bytes();
        let mut phys = [0u8; 9];
        phys[..4].copy_from_slice(&ppm);
        phys[4..8].copy_from_slice(&ppm);
        phys[8] = 1;
        chunk(&mut out, b"pHYs", &phys);
    }
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn dimension(n: usize) -> [u8; 4] {
    u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes()
}

/// One chunk: length, type, data, and the CRC of type and data.
fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&dimension(data.len()));
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = CRC32.digest();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crc_is_pngs() {
        // IEND's CRC is in every PNG file: AE 42 60 82.
        let mut out = Vec::new();
        chunk(&mut out, b"IEND", &[]);
        assert_eq!(
            out,
            [0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]
        );
    }

    /// What the png crate reads back from a file written here.
    fn read(file: &[u8]) -> (png::OutputInfo, Vec<u8>, Option<png::PixelDimensions>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(file))
            .read_info()
            .unwrap();
        let dims = reader.info().pixel_dims;
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (info, buf, dims)
    }

    #[test]
    fn the_png_crate_reads_back_every_pixel() {
        // Rows repeated (Up), runs and edges (Sub), noise, a one-pixel-wide image.
        let mut seed = 7u32;
        let mut noise = || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 16) as u8
        };
        for (width, height, colour) in [
            (37, 41, Colour::Rgb),
            (64, 3, Colour::Grey),
            (1, 5, Colour::Rgb),
            (5, 1, Colour::Grey),
        ] {
            let row = width * colour.channels();
            let mut pixels = Vec::new();
            for y in 0..height {
                let line: Vec<u8> = match y % 4 {
                    0 => (0..row).map(|_| noise()).collect(),
                    1 => pixels[pixels.len() - row..].to_vec(),
                    _ => (0..row)
                        .map(|x| if (x / 7 + y) % 2 == 0 { 0 } else { 255 })
                        .collect(),
                };
                pixels.extend(line);
            }
            let file = encode(width, height, colour, &pixels, Some(300));
            let (info, back, dims) = read(&file);
            assert_eq!((info.width as usize, info.height as usize), (width, height));
            assert_eq!(info.bit_depth, png::BitDepth::Eight);
            let expected = match colour {
                Colour::Grey => png::ColorType::Grayscale,
                Colour::Rgb => png::ColorType::Rgb,
            };
            assert_eq!(info.color_type, expected);
            assert_eq!(back, pixels, "{width}×{height} {colour:?}");
            let dims = dims.unwrap();
            assert_eq!(
                (dims.xppu, dims.yppu, dims.unit),
                (11_811, 11_811, png::Unit::Meter)
            );
        }
        assert!(read(&encode(2, 2, Colour::Grey, &[0; 4], None)).2.is_none());
    }
}
