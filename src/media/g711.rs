//! G.711 (ITU-T G.711): μ-law (PCMU) and A-law (PCMA) to and from 16-bit
//! linear samples, for prompts played into calls and recordings written
//! from them. Relayed calls never decode: both sides speak the same law.

/// μ-law's bias: the segments start at 33 in 14-bit units, 132 in 16-bit.
const BIAS: i32 = 0x84;
/// The largest magnitude μ-law encodes before the bias would overflow.
const CLIP: i32 = 32635;
/// A-law's segment ends, in 13-bit units.
const A_SEGMENT_ENDS: [i32; 8] = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF];

/// A 16-bit sample to μ-law.
pub fn ulaw_from_linear(sample: i16) -> u8 {
    let mut magnitude = i32::from(sample);
    let sign = if magnitude < 0 {
        magnitude = -magnitude;
        0x80
    } else {
        0
    };
    let biased = magnitude.min(CLIP) + BIAS;
    // The segment is where the highest bit sits, from bit 7 (biased values
    // start at 132) to bit 14.
    let highest = 31 - biased.leading_zeros() as i32;
    let exponent = highest - 7;
    let mantissa = (biased >> (exponent + 3)) & 0x0F;
    !(sign | (exponent << 4) as u8 | mantissa as u8)
}

/// μ-law to a 16-bit sample.
pub fn ulaw_to_linear(code: u8) -> i16 {
    let code = !code;
    let exponent = i32::from((code >> 4) & 0x07);
    let mantissa = i32::from(code & 0x0F);
    let magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
    // At most (15 << 3 | 132) << 7 - 132 = 32124: always an i16.
    let magnitude = magnitude as i16;
    if code & 0x80 != 0 {
        -magnitude
    } else {
        magnitude
    }
}

/// A 16-bit sample to A-law.
pub fn alaw_from_linear(sample: i16) -> u8 {
    let mut value = i32::from(sample) >> 3;
    let mask = if value >= 0 {
        0xD5
    } else {
        value = -value - 1;
        0x55
    };
    let Some(segment) = A_SEGMENT_ENDS.iter().position(|&end| value <= end) else {
        return 0x7F ^ mask;
    };
    let shift = if segment < 2 { 1 } else { segment };
    let code = ((segment as i32) << 4) | ((value >> shift) & 0x0F);
    code as u8 ^ mask
}

/// A-law to a 16-bit sample.
pub fn alaw_to_linear(code: u8) -> i16 {
    let code = code ^ 0x55;
    let mut magnitude = i32::from(code & 0x0F) << 4;
    let segment = i32::from((code & 0x70) >> 4);
    match segment {
        0 => magnitude += 8,
        1 => magnitude += 0x108,
        _ => magnitude = (magnitude + 0x108) << (segment - 1),
    }
    // At most (15 << 4 + 0x108) << 6 = 32256: always an i16.
    let magnitude = magnitude as i16;
    if code & 0x80 != 0 {
        magnitude
    } else {
        -magnitude
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_and_the_extremes_have_their_well_known_codes() {
        assert_eq!(ulaw_from_linear(0), 0xFF);
        assert_eq!(ulaw_to_linear(0xFF), 0);
        assert_eq!(ulaw_to_linear(0x00), -32124);
        assert_eq!(ulaw_to_linear(0x80), 32124);
        assert_eq!(ulaw_from_linear(i16::MAX), 0x80);
        assert_eq!(ulaw_from_linear(i16::MIN), 0x00);
        assert_eq!(alaw_from_linear(0), 0xD5);
        assert_eq!(alaw_to_linear(0xD5), 8);
        assert_eq!(alaw_to_linear(0x55), -8);
        assert_eq!(alaw_to_linear(0xAA), 32256);
        assert_eq!(alaw_from_linear(i16::MAX), 0xAA);
        assert_eq!(alaw_from_linear(i16::MIN), 0x2A);
    }

    #[test]
    fn every_code_decodes_to_a_sample_that_encodes_back_to_it() {
        for code in 0..=255u8 {
            assert_eq!(
                alaw_from_linear(alaw_to_linear(code)),
                code,
                "A-law {code:#04x}"
            );
            // μ-law has two zeros; 0x7F (negative zero) encodes as 0xFF.
            if code != 0x7F {
                assert_eq!(
                    ulaw_from_linear(ulaw_to_linear(code)),
                    code,
                    "μ-law {code:#04x}"
                );
            }
        }
    }

    #[test]
    fn the_error_stays_within_the_segment_step() {
        for sample in (i16::MIN..=i16::MAX).step_by(7) {
            let magnitude = i32::from(sample).abs();
            // Each segment doubles the step: 1/16 of the magnitude, at least 16.
            let step = (magnitude / 16).max(16);
            for decoded in [
                ulaw_to_linear(ulaw_from_linear(sample)),
                alaw_to_linear(alaw_from_linear(sample)),
            ] {
                let error = (i32::from(decoded) - i32::from(sample)).abs();
                assert!(error <= step, "{sample} -> {decoded}");
            }
        }
    }
}
