//! Photos as phones take them (up to [`MAX_PHOTO`], JPEG or PNG) made fit
//! to keep: turned upright by their EXIF orientation, the long side brought
//! down to [`LONG_SIDE`] pixels, and written again as a JPEG — which also
//! drops the EXIF block, so a citizen's photo never carries where it was
//! taken.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use xueshi_domain::FieldError;
use xueshi_domain::problem::{MAX_PHOTO, PhotoType, check_photo};

use crate::App;

/// Longest side of a kept photo, in pixels: sharp on a desktop screen,
/// ~200–400 KB as a JPEG.
pub const LONG_SIDE: u32 = 1600;
/// Largest picture decoded, per side; 200-megapixel phone modes stay below.
const MAX_SIDE: u32 = 16_384;
/// Most memory a decode may take (a 50-megapixel photo needs ~150 MB).
const MAX_ALLOC: u64 = 400 * 1024 * 1024;
const QUALITY: u8 = 82;

/// A photo ready to keep: always a JPEG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Photo {
    pub bytes: Vec<u8>,
}

impl Photo {
    pub fn kind(&self) -> PhotoType {
        PhotoType::Jpeg
    }
}

/// Checks a photo (size, type by its bytes) and shrinks it, one at a time
/// across the process and off the async threads.
pub async fn prepare(app: &App, raw: Vec<u8>) -> Result<Photo, FieldError> {
    let (_, raw) = check_photo(raw)?;
    let _turn = app.photo_turn().await;
    tokio::task::spawn_blocking(move || shrink(&raw))
        .await
        .unwrap_or_else(|_| Err(unreadable()))
}

fn unreadable() -> FieldError {
    FieldError::new("photo", "photo_unreadable")
}

/// Decodes, turns upright, scales down and re-encodes.
pub fn shrink(raw: &[u8]) -> Result<Photo, FieldError> {
    if raw.len() > MAX_PHOTO {
        return Err(FieldError::new("photo", "photo_too_large").with("max_mb", MAX_PHOTO >> 20));
    }
    let mut reader = ImageReader::new(Cursor::new(raw))
        .with_guessed_format()
        .map_err(|_| unreadable())?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| unreadable())?;
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| unreadable())?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    if img.width().max(img.height()) > LONG_SIDE {
        img = img.resize(LONG_SIDE, LONG_SIDE, image::imageops::FilterType::Triangle);
    }
    // JPEG has no transparency: a screenshot's clear pixels become white.
    let rgb = if img.color().has_alpha() {
        let mut flat = image::RgbImage::from_pixel(img.width(), img.height(), image::Rgb([255; 3]));
        for (x, y, p) in img.to_rgba8().enumerate_pixels() {
            let a = u16::from(p[3]);
            let mix = |c: u8| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8;
            flat.put_pixel(x, y, image::Rgb([mix(p[0]), mix(p[1]), mix(p[2])]));
        }
        flat
    } else {
        img.to_rgb8()
    };
    let mut out = Vec::with_capacity(256 * 1024);
    rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut out, QUALITY))
        .map_err(|_| unreadable())?;
    Ok(Photo { bytes: out })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb, Rgba};

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = ImageBuffer::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Vec::new();
        img.write_with_encoder(JpegEncoder::new_with_quality(&mut out, 95))
            .unwrap();
        out
    }

    fn size_of(bytes: &[u8]) -> (u32, u32) {
        image::load_from_memory(bytes)
            .unwrap()
            .to_rgb8()
            .dimensions()
    }

    #[test]
    fn a_large_photo_is_brought_down_to_the_long_side_keeping_its_shape() {
        let p = shrink(&jpeg(4000, 3000)).unwrap();
        assert_eq!(size_of(&p.bytes), (1600, 1200));
        let p = shrink(&jpeg(900, 1200)).unwrap();
        assert_eq!(size_of(&p.bytes), (900, 1200));
    }

    #[test]
    fn a_png_with_transparency_becomes_a_jpeg_on_white() {
        let img = ImageBuffer::from_fn(40, 20, |x, _| {
            Rgba::<u8>([0, 0, 0, if x < 20 { 0 } else { 255 }])
        });
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let p = shrink(&png).unwrap();
        assert_eq!(PhotoType::sniff(&p.bytes), Some(PhotoType::Jpeg));
        let back = image::load_from_memory(&p.bytes).unwrap().to_rgb8();
        assert!(back.get_pixel(2, 10)[0] > 240, "clear is white");
        assert!(back.get_pixel(38, 10)[0] < 20, "black stays black");
    }

    /// A JPEG carrying an EXIF block that says "turn 90° clockwise", as a
    /// phone held upright writes it.
    fn with_orientation(jpeg: &[u8], orientation: u8) -> Vec<u8> {
        let mut tiff = b"II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0".to_vec();
        tiff.extend([orientation, 0, 0, 0, 0, 0, 0, 0]);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(tiff);
        let len = (app1.len() + 2) as u16;
        let mut out = jpeg[..2].to_vec();
        out.extend([0xFF, 0xE1]);
        out.extend(len.to_be_bytes());
        out.extend(app1);
        out.extend(&jpeg[2..]);
        out
    }

    #[test]
    fn a_photo_is_turned_upright_and_loses_its_exif() {
        let raw = with_orientation(&jpeg(400, 200), 6);
        assert!(raw.windows(4).any(|w| w == b"Exif"));
        let p = shrink(&raw).unwrap();
        assert_eq!(size_of(&p.bytes), (200, 400));
        assert!(!p.bytes.windows(4).any(|w| w == b"Exif"), "no EXIF is kept");
    }

    #[test]
    fn bytes_that_only_start_like_a_jpeg_are_refused() {
        let mut fake = vec![0xFF, 0xD8, 0xFF, 0xE0];
        fake.extend(std::iter::repeat_n(7u8, 5000));
        assert_eq!(shrink(&fake).unwrap_err().code, "photo_unreadable");
    }
}
